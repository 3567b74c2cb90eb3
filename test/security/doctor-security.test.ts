// SECURITY: doctor's security checks on real embedded nodes. A mesh with one password everywhere,
// plain http on a cellular link, a foreign _replicator doc with `user:pw@` and a database made
// public (its _security emptied by the admin: CouchDB 3 then lets anonymous requests read it) ->
// each finding appears with its fix, in --json and text, doctor exits 2, and no secret is shown.
// Nodes without admins (admin party), a replicator not verifying certificates (moot over http), mesh.yaml's
// `couch_tls.verify: false`, an `[ssl]` listener not checking the client certificates mesh.yaml requires, and a
// certificate folder with one node certificate expiring in 10 days -> those findings. A clean mesh (own password
// per node, lan link, admin-only databases) -> no security finding.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode } from '../../src/node/index.ts';
import { doctorOperation } from '../../src/ops/doctor.ts';
import { initCa, issueNode } from '../../src/security/certs.ts';
import { SECURITY_FIX } from '../../src/security/checks.ts';
import { cli, DB, type Json, TelemetryMesh, type TestNode } from '../telemetry/helpers.ts';

const FOREIGN_PW = `foreignpw-${randomBytes(6).toString('hex')}`;

describe('doctor security checks (embedded nodes)', () => {
  const mesh = new TelemetryMesh();

  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    // the link crosses a cellular network over plain http
    writeFileSync(mesh.file, readFileSync(mesh.file, 'utf8').replace('  class: fast', '  class: cellular'));
    await mesh.apply();
    await mesh.ok('n1', 'PUT', '/_replicator/by-hand', {
      source: `http://bob:${FOREIGN_PW}@127.0.0.1:9/elsewhere`,
      target: 'http://127.0.0.1:9/other',
    });
    await mesh.ok('n2', 'PUT', `/${DB}/_security`, {});
  });
  after(() => mesh.close());

  it('reports each finding with its fix and no secret', async () => {
    const r = await doctorOperation({ file: mesh.file, samples: 1, intervalMs: 0 }, mesh.deps());
    const by = (rule: string) => r.security.filter((f) => f.rule === rule);
    assert.deepEqual(
      by('shared-password').map((f) => f.evidence.nodes),
      ['n1,n2'],
    );
    assert.deepEqual(
      by('plain-http-link').map((f) => [f.link, f.evidence.class]),
      [['n1--n2', 'cellular']],
    );
    assert.deepEqual(
      by('url-credentials').map((f) => [f.node, f.evidence.doc_id, f.evidence.source]),
      [['n1', 'by-hand', 'http://bob:***@127.0.0.1:9/elsewhere']],
    );
    assert.deepEqual(
      by('public-db').map((f) => [f.node, f.db]),
      [['n2', DB]],
    );
    // couchmesh's replication docs carry the nodes' admin credentials (no replication users yet)
    assert.equal(by('one-admin-everywhere').length, 1);
    assert.deepEqual(by('admin-party'), []);
    for (const f of r.security) assert.equal(f.fix, SECURITY_FIX[f.rule]);
    assert.equal(r.healthy, false);
    const text = JSON.stringify(r);
    assert.ok(!text.includes(FOREIGN_PW), 'the foreign password is masked');
    assert.ok(!text.includes(mesh.password), 'the mesh password is never shown');
  });

  it('the CLI shows a Security section, --json carries it, exit 2', async () => {
    const t = await cli(mesh, ['doctor', '-f', mesh.file, '--samples', '1', '--interval', '0']);
    assert.equal(t.code, 2);
    assert.match(t.o.all, /Security:/);
    assert.match(t.o.all, /shared-password/);
    assert.match(t.o.all, new RegExp(`fix: ${SECURITY_FIX['public-db'].slice(0, 30)}`));
    const j = await cli(mesh, ['doctor', '-f', mesh.file, '--samples', '1', '--interval', '0', '--json']);
    assert.equal(j.code, 2);
    const report = JSON.parse(j.o.stdout) as Json;
    assert.ok((report.security as Json[]).some((f) => f.rule === 'url-credentials'));
    for (const out of [t.o.all, j.o.all]) {
      assert.ok(!out.includes(FOREIGN_PW));
      assert.ok(!out.includes(mesh.password));
    }
  });
});

/** Two embedded nodes `a` and `b` (admins as given, none: admin party) and a mesh file linking them. */
class TwoNodes {
  readonly dir = mkdtempSync(join(tmpdir(), 'couchmesh-sec-doctor-'));
  readonly nodes: TestNode[] = [];
  file = join(this.dir, 'mesh.yaml');

  async start(
    admins: Array<Record<string, string> | undefined>,
    nodeExtra: string[],
    rest = '',
  ): Promise<void> {
    for (const a of admins)
      this.nodes.push(await startNode({ port: 0, inMemory: true, ...(a ? { admins: a } : {}) }));
    const line = (n: string, i: number) => `  ${n}: { url: "${this.nodes[i]?.url}"${nodeExtra[i] ?? ''} }`;
    writeFileSync(
      this.file,
      `mesh: m\nnodes:\n${line('a', 0)}\n${line('b', 1)}\ndatabases: [${DB}]\n${rest}links:\n  - [a, b]\n`,
    );
  }

  doctor(env: Record<string, string>, certs?: string) {
    return doctorOperation(
      { file: this.file, samples: 1, intervalMs: 0, ...(certs ? { certs } : {}) },
      { env, client: { retries: 0, timeoutMs: 3000 } },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('doctor security checks: a clean mesh', () => {
  const pw = { P1: `p1-${randomBytes(6).toString('hex')}`, P2: `p2-${randomBytes(6).toString('hex')}` };
  const two = new TwoNodes();

  before(async () => {
    await two.start(
      [{ admin: pw.P1 }, { admin: pw.P2 }],
      [', auth: { username: admin, password_env: P1 }', ', auth: { username: admin, password_env: P2 }'],
      'defaults:\n  class: lan\n',
    );
    for (const [i, n] of two.nodes.entries()) {
      const auth = `Basic ${Buffer.from(`admin:${i === 0 ? pw.P1 : pw.P2}`).toString('base64')}`;
      const res = await fetch(`${n.url}/${DB}`, { method: 'PUT', headers: { authorization: auth } });
      assert.ok(res.ok);
    }
  });
  after(() => two.close());

  it('has no security finding', async () => {
    const r = await two.doctor(pw);
    assert.deepEqual(r.security, []);
  });
});

describe('doctor security checks: admin party, verification off, an expiring certificate', () => {
  const two = new TwoNodes();
  const certs = join(two.dir, 'certs');

  before(async () => {
    // a declares its replicator's verification off; b requires client certificates on its listener
    await two.start(
      [undefined, undefined],
      [
        ', couch_tls: { verify: false }',
        ', couch_tls: { server: { cert_file: /etc/couchdb/b.pem, key_file: /etc/couchdb/b.key, cacert_file: /etc/couchdb/ca.pem, require_client_cert: true } }',
      ],
    );
    // admin party: anyone may change the configuration
    for (const section of ['replicator', 'ssl']) {
      const res = await fetch(
        `${two.nodes[1]?.url}/_node/_local/_config/${section}/verify_ssl_certificates`,
        {
          method: 'PUT',
          body: JSON.stringify('false'),
        },
      );
      assert.ok(res.ok);
    }
    const now = Date.now();
    await initCa(certs, { now });
    await issueNode(certs, 'a', { hosts: ['127.0.0.1'], now, days: 10 });
    await issueNode(certs, 'b', { hosts: ['127.0.0.1'], now, days: 365 });
  });
  after(() => two.close());

  it('reports admin party per node, verification off as declared or on [ssl], a certificate expiring', async () => {
    const r = await two.doctor({}, certs);
    const rows = r.security.map((f) => [f.rule, f.node]);
    assert.deepEqual(
      rows.filter(([rule]) => rule === 'admin-party'),
      [
        ['admin-party', 'a'],
        ['admin-party', 'b'],
      ],
    );
    // [replicator] verify_ssl_certificates = false on b, but the mesh has no https node: nothing to
    // verify; mesh.yaml's own `verify: false` on a and b's [ssl] not checking the client certificates
    // mesh.yaml requires are findings, each with its own fix
    const off = r.security.filter((f) => f.rule === 'tls-verify-off');
    assert.deepEqual(
      off.map((f) => [f.node, f.evidence.setting]),
      [
        ['a', 'nodes.a.couch_tls.verify'],
        ['b', '[ssl] verify_ssl_certificates / fail_if_no_peer_cert'],
      ],
    );
    assert.match(off[0]?.fix ?? '', /remove verify: false from nodes\.a\.couch_tls/);
    assert.match(off[1]?.fix ?? '', /couchmesh apply .* restart CouchDB on b/);
    assert.deepEqual(
      r.security.filter((f) => f.rule === 'cert-expiring').map((f) => [f.node, f.severity]),
      [['a', 'warning']],
    );
    // under admin party every database is open: said once, by admin-party
    assert.deepEqual(
      r.security.filter((f) => f.rule === 'public-db' || f.rule === 'shared-password'),
      [],
    );
  });
});
