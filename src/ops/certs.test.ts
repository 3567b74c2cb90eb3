import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { isCouchmeshError } from '../core/errors.ts';
import { certsInit, certsIssue, certsStatus, loadCertsMesh, urlHost } from './certs.ts';

const dir = mkdtempSync(join(tmpdir(), 'couchmesh-ops-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MESH = `mesh: t
nodes:
  n1: { url: "https://127.0.0.1:6984" }
  n2: { url: "https://edge-2.example:6984" }
  n3: { url: "https://[::1]:6984" }
  c: { url: "https://lb.example:6984", members: ["https://m1.example:6984", "https://m2.example:6984"] }
databases: [sensors]
links:
  - [n1, n2]
  - [n2, n3]
  - [n3, c]
`;

describe('certs operations', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const deps = { env: {}, clock };
  const certs = join(dir, 'certs');

  test('urlHost: the host a certificate must name (IPv6 without brackets)', () => {
    assert.equal(urlHost('https://[::1]:6984'), '::1');
    assert.equal(urlHost('https://Edge.example'), 'edge.example');
  });

  test('issue takes SANs from the node URL in mesh.yaml; status lists the mesh nodes', async () => {
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, MESH);
    const spec = loadCertsMesh(file, deps);
    await certsInit(certs, {}, deps);
    const n1 = await certsIssue(certs, 'n1', { spec }, deps);
    const n2 = await certsIssue(certs, 'n2', { spec, days: 20 }, deps);
    const n3 = await certsIssue(certs, 'n3', { spec }, deps);
    assert.deepEqual(
      [n1.info.sans, n2.info.sans, n3.info.sans],
      [['IP:127.0.0.1'], ['DNS:edge-2.example'], ['IP:::1']],
    );
    // a cluster: its stable url and every member, which answer couchmesh's requests too
    const c = await certsIssue(certs, 'c', { spec }, deps);
    assert.deepEqual(c.info.sans, ['DNS:lb.example', 'DNS:m1.example', 'DNS:m2.example']);
    await assert.rejects(
      certsIssue(certs, 'n9', { spec }, deps),
      (e: unknown) => isCouchmeshError(e) && e.code === 'E_CERTS_HOSTS' && /n1, n2, n3/.test(e.hint ?? ''),
    );
    const s = await certsStatus(certs, spec, deps);
    assert.deepEqual(
      s.nodes.map((n) => [n.node, n.state, n.hostCovered]),
      [
        ['n1', 'ok', true],
        ['n2', 'expiring', true],
        ['n3', 'ok', true],
        ['c', 'ok', true],
      ],
    );
    const folder = await certsStatus(certs, undefined, deps);
    assert.deepEqual(
      folder.nodes.map((n) => n.node),
      ['c', 'n1', 'n2', 'n3'],
    );
  });
});
