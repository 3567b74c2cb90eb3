import assert from 'node:assert/strict';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { isCouchmeshError } from '../core/errors.ts';
import { folderStatus, initCa, issueNode } from './certs.ts';
import { createCa, issueCert } from './pki.ts';

const DAY = 86_400_000;
const dirs: string[] = [];
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'couchmesh-certs-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
const code = (c: string) => (e: unknown) => isCouchmeshError(e) && e.code === c;

describe('mesh PKI', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  test('init makes a self-signed CA (basicConstraints CA, keyCertSign), key 0600, no overwrite without force', async () => {
    const dir = join(scratch(), 'certs');
    const ca = await initCa(dir, { now: clock.now() });
    assert.equal(mode(ca.key), 0o600);
    const cert = new NodeX509((await import('node:fs')).readFileSync(ca.cert));
    assert.equal(cert.ca, true);
    assert.equal(cert.checkIssued(cert), true);
    assert.equal(ca.info.issuedByCa, true);
    assert.equal(ca.info.daysLeft, 3650);
    await assert.rejects(initCa(dir, { now: clock.now() }), code('E_CERTS_EXISTS'));
    const again = await initCa(dir, { now: clock.now(), force: true });
    assert.equal(mode(again.key), 0o600);
  });

  test('issue: serverAuth + clientAuth, IP SAN for an IP and DNS otherwise, signed by the CA', async () => {
    const dir = scratch();
    await initCa(dir, { now: clock.now() });
    const n1 = await issueNode(dir, 'n1', {
      hosts: ['127.0.0.1', 'Edge-1.example'],
      now: clock.now(),
      days: 90,
    });
    assert.equal(mode(n1.key), 0o600);
    assert.deepEqual(n1.info.sans, ['IP:127.0.0.1', 'DNS:edge-1.example']);
    assert.deepEqual(n1.info.eku, ['serverAuth', 'clientAuth']);
    assert.equal(n1.info.subject, 'CN=n1');
    assert.equal(n1.info.issuedByCa, true);
    assert.equal(n1.info.daysLeft, 90);
    // node's own X.509 (OpenSSL) agrees: the CA issued it and the IP matches
    const fs = await import('node:fs');
    const leaf = new NodeX509(fs.readFileSync(n1.cert));
    const ca = new NodeX509(fs.readFileSync(join(dir, 'ca.pem')));
    assert.equal(leaf.checkIssued(ca), true);
    assert.equal(leaf.verify(ca.publicKey), true);
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.ca, false);
    await assert.rejects(issueNode(dir, 'n1', { hosts: ['h'], now: clock.now() }), code('E_CERTS_EXISTS'));
  });

  test('issue needs a CA, a host and a file-safe node name', async () => {
    const dir = scratch();
    await assert.rejects(issueNode(dir, 'n1', { hosts: ['h'], now: 0 }), code('E_CERTS_NO_CA'));
    await initCa(dir, { now: clock.now() });
    await assert.rejects(issueNode(dir, 'n1', { hosts: [], now: 0 }), code('E_CERTS_HOSTS'));
    await assert.rejects(issueNode(dir, '../x', { hosts: ['h'], now: 0 }), code('E_USAGE'));
    await assert.rejects(issueNode(dir, 'n1', { hosts: ['h'], now: 0, days: 0 }), code('E_CERTS_DAYS'));
  });

  test('status: days left on the clock, expiring under 30 days, expired, wrong CA, missing, host coverage', async () => {
    const dir = scratch();
    const t0 = clock.now();
    await initCa(dir, { now: t0 });
    await issueNode(dir, 'n1', { hosts: ['127.0.0.1'], now: t0, days: 40 });
    // n2's certificate comes from another CA
    const other = await createCa({ now: t0, days: 10 });
    const foreign = await issueCert(other, { commonName: 'n2', hosts: ['n2.local'], now: t0, days: 400 });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'n2.pem'), foreign.certPem);
    const nodes = [
      { name: 'n1', host: '127.0.0.1' },
      { name: 'n2', host: 'n2.local' },
      { name: 'n3', host: 'n3.local' },
    ];
    const s0 = await folderStatus(dir, nodes, t0);
    assert.deepEqual(
      s0.nodes.map((n) => [n.node, n.state, n.info?.daysLeft, n.hostCovered]),
      [
        ['n1', 'ok', 40, true],
        ['n2', 'wrong-ca', 400, true],
        ['n3', 'missing', undefined, undefined],
      ],
    );
    clock.advance(15 * DAY);
    const s1 = await folderStatus(dir, nodes.slice(0, 1), clock.now());
    assert.deepEqual([s1.nodes[0]?.state, s1.nodes[0]?.info?.daysLeft], ['expiring', 25]);
    clock.advance(26 * DAY);
    const s2 = await folderStatus(dir, nodes.slice(0, 1), clock.now());
    assert.equal(s2.nodes[0]?.state, 'expired');
    assert.ok((s2.nodes[0]?.info?.daysLeft ?? 0) < 0);
    assert.equal(s2.ca?.issuedByCa, true);
  });
});
