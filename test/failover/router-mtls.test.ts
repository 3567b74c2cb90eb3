// FAILOVER (#15) must-show over mutual TLS (router-mtls-world.ts): the nodes on https require client
// certificates from the mesh CA; n3->n4 degraded -> the controller reroutes it through a real
// `couchmesh relay` (proxy mode: `source_proxy`), the replicator reaches n3 in a CONNECT tunnel so
// TLS stays end to end (the relay only copies ciphertext); documents written meanwhile arrive; the
// replication id is the same (CouchDB keeps proxies out of it); healed -> direct, the proxy field gone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { type MtlsMesh, MtlsRouterWorld } from './router-mtls-world.ts';

const K = 3;

describe('router over mutual TLS: proxy mode through couchmesh relay', () => {
  const w = new MtlsRouterWorld();
  const mesh = w.mesh as MtlsMesh;
  let repId = '';

  before(async () => {
    repId = await w.running();
  });
  after(() => w.close());

  it('the mesh is on https with client certificates: a client trusting the CA but without one is refused', async () => {
    assert.match(w.mesh.url('n3'), /^https:/);
    const agent = new Agent({ connect: { ca: readFileSync(join(mesh.certs, 'ca.pem'), 'utf8') } });
    try {
      const r = await request(`${w.mesh.url('n3')}/`, { dispatcher: agent }).then(
        () => 'answered',
        () => 'refused',
      );
      assert.equal(r, 'refused');
    } finally {
      await agent.close();
    }
  });

  it('degraded: rerouted through the relay within k + 2 polls, over a CONNECT tunnel; data arrives; same replication id', async () => {
    const { polls, doc } = await w.degrade();
    assert.ok(polls <= K + 2, `rerouted after ${polls} polls`);
    assert.equal(doc.source_proxy, w.proxy.url);
    assert.equal(doc.couchmesh.route.mode, 'proxy');
    assert.match(doc.source.url, /^https:/);
    await w.reaches('n4', 30);
    const job = await w.job();
    assert.equal(job.id, repId, 'proxies are not part of the replication id');
    assert.equal(job.state, 'running');
    // the controller's Mermaid (GET /api/v1/mermaid) draws the live route through the relay
    assert.match(w.c.mermaid(), /^N\d -\.->\|"n3->n4 via r"\| N\d(\[\(r\)\])?$/m);

    // the relay carried it: CONNECT tunnels to n3 only (never an absolute-form request), bytes both ways
    const n3 = `127.0.0.1:${new URL(w.mesh.url('n3')).port}`;
    const c = w.relay.counters.snapshot();
    assert.ok(c.connections >= 1 && c.bytesUp > 0 && c.bytesDown > 0, JSON.stringify(c));
    assert.equal(c.refused, 0);
    assert.ok(w.relayLog.length > 0);
    assert.ok(
      w.relayLog.every((l) => l.startsWith(`relay: CONNECT ${n3} `)),
      w.relayLog.join('\n'),
    );
    // end to end: what crossed the tunnel is TLS records, no request line, path or credential
    const bytes = Buffer.concat(w.tunnelled);
    assert.ok(bytes.length > 0);
    assert.equal(bytes[0], 0x16, 'a TLS handshake record opens the tunnel');
    for (const plain of ['GET ', '/sensors', '_changes', w.mesh.password, 'b-00000'])
      assert.ok(!bytes.includes(plain), `'${plain}' crossed the relay in clear`);
  });

  it('healed: direct again, the proxy field and the marker gone, new data arrives directly', async () => {
    const doc = await w.heal();
    assert.equal(doc.source_proxy, undefined);
    assert.equal(doc.couchmesh.route, undefined);
    const relayed = w.relay.counters.snapshot().connections;
    await w.mesh.write('n3', 'c', 5);
    await w.reaches('n4', 35);
    assert.ok(!w.c.mermaid().includes('-.->'), 'no relayed arrow once direct');
    const job = await w.job();
    assert.equal(job.id, repId);
    assert.equal(w.relay.counters.snapshot().connections, relayed, 'no new tunnel after the heal');
  });
});
