// FAILOVER (#15): through `couchmesh relay`, an https replication stays TLS end to end (CONNECT
// tunnel): both nodes require client certificates from the mesh CA, and the relay only copies bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CouchClient } from '../../src/couch/client.ts';
import { startNode } from '../../src/node/index.ts';
import { parseAllow } from '../../src/relay/allow.ts';
import { type Relay, startRelay } from '../../src/relay/relay.ts';
import { createCa, issueCert } from '../../src/security/index.ts';
import { poll, type TestNode } from '../replicator/helpers.ts';

describe('failover groundwork: mutual TLS through the relay', () => {
  const nodes: TestNode[] = [];
  let relay: Relay;
  let client: (n: TestNode) => CouchClient;
  const clients: CouchClient[] = [];
  const lines: string[] = [];

  before(async () => {
    const now = Date.now();
    const ca = await createCa({ now, days: 1 });
    for (const name of ['n1', 'n2']) {
      const c = await issueCert(ca, { commonName: name, hosts: ['127.0.0.1'], now, days: 1 });
      nodes.push(
        await startNode({
          port: 0,
          inMemory: true,
          admins: { admin: 'pw' },
          tls: { cert: c.certPem, key: c.keyPem, ca: ca.certPem, requireClientCert: true },
        }),
      );
    }
    const me = await issueCert(ca, { commonName: 'tester', hosts: ['127.0.0.1'], now, days: 1 });
    client = (n) => {
      const c = new CouchClient({
        url: n.url,
        auth: { username: 'admin', password: 'pw' },
        tls: { ca: ca.certPem, cert: me.certPem, key: me.keyPem },
        retries: 0,
      });
      clients.push(c);
      return c;
    };
    relay = await startRelay({
      port: 0,
      log: (l) => lines.push(l),
      allow: nodes.map((n) => parseAllow(`127.0.0.1:${n.port}`)[0] as { host: string; port: number }),
    });
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(nodes.map((n) => n.close()));
    await relay.close();
  });

  it('replicates n1 -> n2 with both ends proxied; the relay tunnels (CONNECT) and never terminates TLS', async () => {
    const [n1, n2] = nodes as [TestNode, TestNode];
    const c1 = client(n1);
    const c2 = client(n2);
    await c1.request({ method: 'PUT', path: '/db' });
    await c2.request({ method: 'PUT', path: '/db' });
    await c1.request({ method: 'PUT', path: '/db/hello', body: { via: 'relay' } });
    const ep = (n: TestNode) => ({
      url: `${n.url}/db`,
      auth: { basic: { username: 'admin', password: 'pw' } },
    });
    await c2.request({
      method: 'PUT',
      path: '/_replicator/r',
      body: { source: ep(n1), target: ep(n2), proxy: relay.url },
    });
    await poll('hello on n2', async () => {
      const r = await c2.request({ method: 'GET', path: '/db/hello' }).catch(() => undefined);
      return r?.status === 200;
    });
    const c = relay.counters.snapshot();
    assert.ok(c.connections >= 2, JSON.stringify(c));
    assert.equal(c.refused, 0);
    assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('relay: CONNECT ')), lines.join('\n'));
  });
});
