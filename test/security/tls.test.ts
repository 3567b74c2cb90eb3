// SECURITY end to end, on real embedded nodes on 127.0.0.1 serving HTTPS with mutual TLS: the
// handshake refuses a client without a certificate from the mesh CA (as CouchDB's `[ssl]
// verify_ssl_certificates + fail_if_no_peer_cert`), couchmesh's client presents the certificate
// mesh.yaml names, `plan` works over it, and an expired or foreign certificate is a coded error
// naming the node and its fix.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { isCouchmeshError } from '../../src/core/errors.ts';
import { CouchClient } from '../../src/couch/client.ts';
import { isCouchError } from '../../src/couch/errors.ts';
import type { ServerInfo } from '../../src/couch/info.ts';
import { startNode } from '../../src/node/index.ts';
import type { MeshDeps } from '../../src/ops/deps.ts';
import { openMesh } from '../../src/ops/mesh.ts';
import { planOperation } from '../../src/ops/plan.ts';
import { createCa, initCa, issueCert, issueNode } from '../../src/security/index.ts';

type TestNode = Awaited<ReturnType<typeof startNode>>;
const DAY = 86_400_000;
const PASSWORD = 'tls-test-admin-pw';

/** One HTTPS GET; resolves with the status or rejects with the TLS/socket error. */
function get(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { ...tls, agent: false, auth: `admin:${PASSWORD}` }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The handshake refused the client: an alert from the server, or the connection reset after it. */
const HANDSHAKE_REFUSED =
  /CERTIFICATE_REQUIRED|UNKNOWN_CA|HANDSHAKE_FAILURE|BAD_CERTIFICATE|ECONNRESET|EPIPE/;

describe('mutual TLS between couchmesh and embedded nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-tls-'));
  const certs = join(dir, 'certs');
  const nodes: TestNode[] = [];
  let caPem = '';
  let foreign = { ca: '', cert: '', key: '' };

  before(async () => {
    const now = Date.now();
    await initCa(certs, { now });
    for (const name of ['n1', 'n2', 'couchmesh']) await issueNode(certs, name, { hosts: ['127.0.0.1'], now });
    caPem = readFileSync(join(certs, 'ca.pem'), 'utf8');
    const otherCa = await createCa({ now, days: 30 });
    const other = await issueCert(otherCa, { commonName: 'intruder', hosts: ['127.0.0.1'], now, days: 30 });
    foreign = { ca: otherCa.certPem, cert: other.certPem, key: other.keyPem };
    writeFileSync(join(dir, 'foreign-ca.pem'), foreign.ca);
    writeFileSync(join(dir, 'foreign.pem'), foreign.cert);
    writeFileSync(join(dir, 'foreign.key'), foreign.key);
    for (const name of ['n1', 'n2'])
      nodes.push(
        await startNode({
          port: 0,
          inMemory: true,
          admins: { admin: PASSWORD },
          tls: {
            cert: readFileSync(join(certs, `${name}.pem`)),
            key: readFileSync(join(certs, `${name}.key`)),
            ca: caPem,
            requireClientCert: true,
          },
        }),
      );
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** mesh.yaml of the two nodes over https, every node with the given tls file references. */
  function meshFile(name: string, tls: { ca: string; cert?: string; key?: string }): string {
    const pair = tls.cert ? `, cert_file: ${tls.cert}, key_file: ${tls.key}` : '';
    const tlsLine = `{ ca_file: ${tls.ca}${pair} }`;
    const node = (n: string, t: TestNode) =>
      `  ${n}:\n    url: ${t.url}\n    auth: { username: admin, password_env: PW }\n    tls: ${tlsLine}\n`;
    const text = `mesh: tls\nnodes:\n${node('n1', nodes[0] as TestNode)}${node('n2', nodes[1] as TestNode)}databases:\n  - sensors\nlinks:\n  - [n1, n2]\n`;
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  }
  const meshTls = { ca: 'certs/ca.pem', cert: 'certs/couchmesh.pem', key: 'certs/couchmesh.key' };
  const deps = (clock?: ManualClock): MeshDeps => ({
    env: { PW: PASSWORD },
    client: { retries: 0 },
    ...(clock ? { clock } : {}),
  });

  test('the node listens on https://127.0.0.1', () => {
    for (const n of nodes) assert.match(n.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a client without a certificate is refused in the TLS handshake', async () => {
    const n1 = nodes[0] as TestNode;
    await assert.rejects(get(n1.url, { ca: caPem }), (e: NodeJS.ErrnoException) => {
      assert.match(String(e.code), HANDSHAKE_REFUSED);
      return true;
    });
  });

  test('a client with a certificate from another CA is refused in the TLS handshake', async () => {
    const n1 = nodes[0] as TestNode;
    await assert.rejects(
      get(n1.url, { ca: caPem, cert: foreign.cert, key: foreign.key }),
      (e: NodeJS.ErrnoException) => {
        assert.match(String(e.code), HANDSHAKE_REFUSED);
        return true;
      },
    );
  });

  test('a client with a mesh certificate is served', async () => {
    const n1 = nodes[0] as TestNode;
    const tls = {
      ca: caPem,
      cert: readFileSync(join(certs, 'couchmesh.pem'), 'utf8'),
      key: readFileSync(join(certs, 'couchmesh.key'), 'utf8'),
    };
    assert.equal(await get(n1.url, tls), 200);
  });

  test("the mesh's client presents mesh.yaml's certificate to every node", async () => {
    const r = openMesh({ file: meshFile('clients', meshTls) }, deps());
    assert.ok(r.ok);
    try {
      for (const name of ['n1', 'n2']) {
        const client = r.mesh.clients.get(name);
        assert.ok(client, name);
        const info: ServerInfo = await client.serverInfo();
        assert.equal(info.raw.couchdb, 'Welcome', name);
      }
    } finally {
      await r.mesh.close();
    }
  });

  test('couchmesh plan against two https nodes with mesh.yaml tls: references', async () => {
    const r = await planOperation({ file: meshFile('plan', meshTls) }, deps());
    assert.deepEqual(r.view.unreachable, []);
    assert.equal(r.view.complete, true);
    assert.ok(r.view.nodes.every((n) => n.reachable));
    assert.ok(r.view.actions.length > 0, 'creates the database and the replication documents');
  });

  test('an expired client certificate: a coded error naming the node and the fix, before any request', async () => {
    const later = new ManualClock(Date.now() + 400 * DAY); // the certificates were issued for 365 days
    await assert.rejects(planOperation({ file: meshFile('expired', meshTls) }, deps(later)), (e: unknown) => {
      assert.ok(isCouchmeshError(e));
      assert.equal(e.code, 'E_TLS_CERT_EXPIRED');
      assert.match(e.message, /node n1: the client certificate .*couchmesh\.pem expired/);
      assert.match(e.hint ?? '', /couchmesh certs issue n1/);
      return true;
    });
  });

  test('a client certificate not from the CA mesh.yaml trusts: E_TLS_WRONG_CA naming the node', async () => {
    const tls = { ca: 'foreign-ca.pem', cert: 'certs/couchmesh.pem', key: 'certs/couchmesh.key' };
    await assert.rejects(planOperation({ file: meshFile('wrong-ca', tls) }, deps()), (e: unknown) => {
      assert.ok(isCouchmeshError(e));
      assert.equal(e.code, 'E_TLS_WRONG_CA');
      assert.match(e.message, /node n1: .* not issued by the CA in .*foreign-ca\.pem/);
      assert.match(e.hint ?? '', /certs issue n1|tls\.ca_file/);
      return true;
    });
  });

  test('nodes whose certificates another CA signed: each node unreachable with the TLS code', async () => {
    const tls = { ca: 'foreign-ca.pem', cert: 'foreign.pem', key: 'foreign.key' };
    const r = await planOperation({ file: meshFile('foreign', tls) }, deps());
    assert.deepEqual(
      r.view.unreachable.map((u) => [u.node, u.code]),
      [
        ['n1', 'E_COUCH_TLS'],
        ['n2', 'E_COUCH_TLS'],
      ],
    );
    // the message names the failure and its fix: the mesh.yaml CA is not the one that signed the node
    assert.match(r.view.unreachable[0]?.message ?? '', /TLS handshake failed \(\w+\): .*tls\.ca_file/);
  });

  // TLS 1.3: the node's verdict on our client certificate arrives after the handshake, as a hang-up
  test('a node refusing our missing client certificate: E_COUCH_TLS naming the node and the fix, not a reset', async () => {
    const r = await planOperation({ file: meshFile('no-cert', { ca: 'certs/ca.pem' }) }, deps());
    assert.deepEqual(
      r.view.unreachable.map((u) => [u.node, u.code]),
      [
        ['n1', 'E_COUCH_TLS'],
        ['n2', 'E_COUCH_TLS'],
      ],
    );
    const msg = r.view.unreachable[0]?.message ?? '';
    assert.ok(msg.includes(`the node ${(nodes[0] as TestNode).url} refused our client certificate`), msg);
    assert.match(msg, /CERTIFICATE_REQUIRED.*couchmesh certs issue NODE/);
    assert.doesNotMatch(msg, /UND_ERR_SOCKET|ECONNRESET/);
  });

  test('a node refusing a client certificate from another CA: E_COUCH_TLS with the fix, not a reset', async () => {
    const n1 = nodes[0] as TestNode;
    const client = new CouchClient({
      url: n1.url,
      auth: { username: 'admin', password: PASSWORD },
      tls: { ca: caPem, cert: foreign.cert, key: foreign.key },
      retries: 2,
    });
    try {
      await assert.rejects(client.get('/'), (e: unknown) => {
        assert.ok(isCouchError(e));
        assert.equal(e.code, 'E_COUCH_TLS');
        assert.ok(e.message.includes(`the node ${n1.url} refused our client certificate`), e.message);
        assert.match(e.message, /couchmesh certs issue NODE/);
        assert.match(e.hint ?? '', /tls\.cert_file/);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
