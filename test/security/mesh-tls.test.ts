// SECURITY must-show: the seed mesh (examples/seed-mesh.yaml) on four embedded nodes that require
// mutual TLS. couchmesh applies it over mutual TLS (mesh.yaml `tls:`), and every node's replicator
// presents the node's own certificate to its peers and verifies theirs against the mesh CA (the
// defaults a node started with TLS gives its `[replicator]`), so a document written on n1 reaches
// n2, n3 and n4. A peer whose certificate comes from another CA crashes the job with a TLS reason; so does a
// peer refusing the replicator's client certificate (under TLS 1.3, after the handshake), naming the peer and the fix.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CouchClient } from '../../src/couch/client.ts';
import { startNode } from '../../src/node/index.ts';
import { applyOperation } from '../../src/ops/apply.ts';
import { EXAMPLE_MESH, withoutCanary, withUrls } from '../../src/ops/example-mesh.ts';
import { createCa, initCa, issueCert, issueNode } from '../../src/security/index.ts';
import { crashingJob, type Json, type TestNode, until } from './support.ts';

const PASSWORD = 'mesh-tls-admin-pw';
const NAMES = ['n1', 'n2', 'n3', 'n4'];
const DB = 'sensors';

describe('the seed mesh over mutual TLS: couchmesh -> nodes and node -> node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-mesh-tls-'));
  const certs = join(dir, 'certs');
  const nodes = new Map<string, TestNode>();
  const clients = new Map<string, CouchClient>();
  let meshFile = '';
  let intruder: TestNode | undefined;
  let intruderCa = '';

  const startTlsNode = async (tls: { cert: string; key: string; ca: string }) => {
    const node = await startNode({
      port: 0,
      inMemory: true,
      admins: { admin: PASSWORD },
      tls: { ...tls, requireClientCert: true },
    });
    node.state.setConfig('replicator', 'startup_jitter', '0', false);
    return node;
  };

  before(async () => {
    const now = Date.now();
    await initCa(certs, { now });
    for (const name of [...NAMES, 'couchmesh']) await issueNode(certs, name, { hosts: ['127.0.0.1'], now });
    const pem = (f: string) => readFileSync(join(certs, f), 'utf8');
    const ca = pem('ca.pem');
    for (const name of NAMES) {
      const node = await startTlsNode({ cert: pem(`${name}.pem`), key: pem(`${name}.key`), ca });
      nodes.set(name, node);
      clients.set(
        name,
        new CouchClient({
          url: node.url,
          auth: { username: 'admin', password: PASSWORD },
          tls: { ca, cert: pem('couchmesh.pem'), key: pem('couchmesh.key') },
          retries: 0,
        }),
      );
    }
    // a node whose certificate (and CA) is not the mesh's
    const otherCa = await createCa({ now, days: 30 });
    intruderCa = otherCa.certPem;
    const other = await issueCert(otherCa, { commonName: 'intruder', hosts: ['127.0.0.1'], now, days: 30 });
    intruder = await startTlsNode({ cert: other.certPem, key: other.keyPem, ca: ca });

    const tlsLine =
      '    tls: { ca_file: certs/ca.pem, cert_file: certs/couchmesh.pem, key_file: certs/couchmesh.key }\n';
    const seed = withUrls(
      withoutCanary(readFileSync(EXAMPLE_MESH, 'utf8')), // counts the seed's own documents
      NAMES.map((n, i) => ({ from: `http://127.0.0.1:${25984 + i}`, to: (nodes.get(n) as TestNode).url })),
    );
    const text = seed.replace(/^( {4}auth: .*\n)/gm, `$1${tlsLine}`);
    assert.equal(text.match(/^ {4}tls: /gm)?.length, 4, 'every node of the mesh file names its TLS files');
    meshFile = join(dir, 'mesh.yaml');
    writeFileSync(meshFile, text);
  });

  after(async () => {
    await Promise.all([...clients.values()].map((c) => c.close()));
    await Promise.all([...nodes.values(), ...(intruder ? [intruder] : [])].map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (name: string) => clients.get(name) as CouchClient;

  test('apply writes the seed mesh through mutual TLS, and a doc written on n1 arrives on n2, n3, n4', async () => {
    const r = await applyOperation(
      { file: meshFile },
      { env: { COUCHMESH_PASSWORD: PASSWORD }, client: { retries: 0, timeoutMs: 5_000 } },
      async () => true,
    );
    assert.ok(r.outcome.ok, JSON.stringify(r.outcome.failed));
    assert.equal(r.outcome.plan.summary.add, 10);
    assert.deepEqual(r.outcome.failed, []);

    await client('n1').put(`/${DB}/over-mtls`, { reading: 42 });
    for (const name of ['n2', 'n3', 'n4']) {
      const doc = await until(`over-mtls on ${name}`, async () =>
        client(name)
          .get<Json>(`/${DB}/over-mtls`)
          .catch(() => undefined),
      );
      assert.equal(doc.reading, 42, name);
    }
    // every managed job runs: none of them is crashing on a handshake
    for (const name of NAMES) {
      const docs = await client(name).get<Json>('/_scheduler/docs/_replicator');
      const states = docs.docs.map((d: Json) => d.state);
      assert.ok(states.length > 0, name);
      assert.ok(
        states.every((s: string) => s === 'running'),
        `${name}: ${JSON.stringify(docs.docs)}`,
      );
    }
  });

  test('a peer whose certificate is from another CA makes the job crash with a TLS reason', async () => {
    const from = `${(intruder as TestNode).url}/${DB}`;
    const to = `${(nodes.get('n1') as TestNode).url}/${DB}`;
    const doc = await crashingJob(client('n1'), 'from-intruder', from, to, PASSWORD);
    assert.match(doc.info.error, /^tls_error: /);
    assert.match(doc.info.error, /TLS handshake failed/);
    assert.match(doc.info.error, /not signed by a CA this client trusts/);
    assert.ok(!doc.info.error.includes(PASSWORD), 'no credential in the reason');
  });

  test("a peer refusing the replicator's client certificate (TLS 1.3: after the handshake) crashes the job naming the peer and the fix", async () => {
    // the intruder trusts the mesh CA for servers but presents its own, foreign certificate as a
    // client: n1 (client certificates from the mesh CA only) refuses it once the handshake is over
    const n1 = nodes.get('n1') as TestNode;
    const it = intruder as TestNode;
    const pem = (f: string) => readFileSync(join(certs, f), 'utf8');
    const admin = new CouchClient({
      url: it.url,
      auth: { username: 'admin', password: PASSWORD },
      tls: { ca: [pem('ca.pem'), intruderCa], cert: pem('couchmesh.pem'), key: pem('couchmesh.key') },
      retries: 0,
    });
    try {
      await admin.put(`/${DB}`, {}).catch(() => undefined);
      const doc = await crashingJob(admin, 'from-n1', `${n1.url}/${DB}`, `${it.url}/${DB}`, PASSWORD);
      assert.match(doc.info.error, /^tls_error: /);
      assert.ok(doc.info.error.includes(`the node ${n1.url} refused our client certificate`), doc.info.error);
      assert.match(doc.info.error, /couchmesh certs issue NODE/);
      assert.match(doc.info.error, /\[replicator\] cert_file/);
      assert.ok(!doc.info.error.includes(PASSWORD), 'no credential in the reason');
    } finally {
      await admin.close();
    }
  });
});
