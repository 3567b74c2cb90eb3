// FAILOVER (#15), proxy mode groundwork: a running replication is routed through `couchmesh relay`
// by adding `target_proxy` to its doc. CouchDB's replication id leaves proxies out
// (couch_replicator_ids), so the job restarts under the same id, finds its `_local` checkpoint and
// resumes from it (no re-scan from 0). Then a fault proxy in front of the relay partitions the link:
// the job crashes visibly, and once the partition heals it runs again and the data arrives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAllow } from '../../src/relay/allow.ts';
import { type FaultProxy, startFaultProxy } from '../../src/relay/fault-proxy.ts';
import { type Relay, startRelay } from '../../src/relay/relay.ts';
import {
  docCount,
  endpoint,
  http,
  type Json,
  Nodes,
  ok,
  poll,
  schedDoc,
  seqNum,
  type TestNode,
  updateSeq,
  waitState,
  writeDocs,
} from '../replicator/helpers.ts';

describe('failover groundwork: replication through a relay (target_proxy)', () => {
  const nodes = new Nodes();
  let n1: TestNode;
  let n2: TestNode;
  let relay: Relay;
  let fault: FaultProxy;
  const relayLog: string[] = [];
  const repDoc = (extra: Record<string, unknown> = {}) => ({
    source: endpoint(n1, 'db'),
    target: endpoint(n2, 'db'),
    continuous: true,
    checkpoint_interval: 100,
    connection_timeout: 1500,
    retries_per_request: 1,
    ...extra,
  });
  const docUrl = () => `${n2.url}/_replicator/r`;
  const rev = async () => (await ok<{ _rev: string }>('GET', docUrl()))._rev;
  const checkpoint = async (id: string) => ok<Json>('GET', `${n1.url}/db/_local/${id.split('+')[0]}`);
  /** running, with everything written on n1 checkpointed */
  const caughtUp = async (extra: (d: Json) => boolean = () => true) => {
    const seq = await updateSeq(n1, 'db');
    return waitState(
      n2,
      'r',
      'running',
      (d) => extra(d) && seqNum(d.info?.checkpointed_source_seq) === seq,
      20_000,
    );
  };

  before(async () => {
    n1 = await nodes.start();
    n2 = await nodes.start();
    await ok('PUT', `${n1.url}/db`);
    await ok('PUT', `${n2.url}/db`);
    relay = await startRelay({
      port: 0,
      allow: parseAllow(`127.0.0.1:${n1.port},127.0.0.1:${n2.port}`),
      log: (l) => relayLog.push(l),
    });
    fault = await startFaultProxy({ target: { host: '127.0.0.1', port: relay.port } });
  });
  after(async () => {
    await nodes.closeAll();
    await fault.close();
    await relay.close();
  });

  it('adding target_proxy keeps the replication id and resumes from the checkpoint; the relay carries the traffic', async () => {
    await writeDocs(n1, 'db', 'a', 20);
    await ok('PUT', docUrl(), repDoc());
    const direct = await caughtUp();
    assert.equal(direct.target_proxy, null);
    const id: string = direct.id;
    const before = await checkpoint(id);
    assert.equal(seqNum(before.source_last_seq), 20);

    // route the target side through the relay (credentials in the proxy URL are masked in _scheduler/docs)
    const proxyUrl = relay.url.replace('http://', 'http://bob:s3cret@');
    await ok('PUT', docUrl(), { ...repDoc({ target_proxy: proxyUrl }), _rev: await rev() });
    await writeDocs(n1, 'db', 'b', 10);
    const relayed = await caughtUp((d) => d.target_proxy !== null);
    assert.equal(relayed.id, id, 'same replication id with a proxy');
    assert.equal(relayed.source_proxy, null);
    assert.equal(relayed.target_proxy, relay.url.replace('http://', 'http://bob:*****@'));
    assert.ok(!JSON.stringify(await schedDoc(n2, 'r')).includes('s3cret'));
    assert.equal(await docCount(n2, 'db'), 30);

    // no re-scan: the new session started where the previous one had checkpointed, and only the 10
    // new revisions were checked by it
    const after = await checkpoint(id);
    const newest = after.history[0];
    assert.notEqual(newest.session_id, before.session_id);
    assert.equal(seqNum(newest.start_last_seq), 20);
    assert.equal(seqNum(after.source_last_seq), 30);
    assert.equal(relayed.info.revisions_checked - direct.info.revisions_checked, 10);

    const c = relay.counters.snapshot();
    assert.ok(c.connections >= 1 && c.bytesUp > 0 && c.bytesDown > 0, JSON.stringify(c));
    assert.equal(c.refused, 0);
    assert.ok(relayLog.some((l) => l.includes(`127.0.0.1:${n2.port}`)));
    assert.ok(relayLog.every((l) => !l.includes('s3cret') && !l.includes('admin:')));
  });

  it('a partition of the relayed link crashes the job visibly; after the heal it resumes and the data arrives', async () => {
    await ok('PUT', docUrl(), { ...repDoc({ target_proxy: fault.url }), _rev: await rev() });
    const first = await caughtUp((d) => d.target_proxy === fault.url);
    fault.set({ partition: true });
    await writeDocs(n1, 'db', 'c', 5);
    const crashed = await waitState(n2, 'r', 'crashing', () => true, 30_000);
    assert.equal(crashed.id, first.id);
    assert.ok(crashed.error_count >= 1);
    assert.match(String(crashed.info?.error ?? ''), /\S/);
    assert.equal(await docCount(n2, 'db'), 30, 'nothing crossed the partition');

    fault.heal();
    const healed = await caughtUp();
    assert.equal(healed.id, first.id);
    await poll('35 docs on n2', async () => (await docCount(n2, 'db')) === 35, { timeoutMs: 20_000 });
    assert.ok(fault.counters.connectedUpstream >= 1);
  });

  it('a socks5 proxy is accepted by the parser (valid_proxy_protocols) but the job crashes naming it', async () => {
    await ok('PUT', `${n2.url}/_replicator/s`, {
      ...repDoc({ proxy: 'socks5://127.0.0.1:1080' }),
      target: endpoint(n2, 'socks'), // another replication than `r` (a duplicate would be refused)
    });
    const d = await waitState(n2, 's', 'crashing');
    assert.match(String(d.info?.error), /proxy_unsupported: socks5 proxies are not supported/);
    assert.equal(d.source_proxy, 'socks5://127.0.0.1:1080');
    const bad = await http(
      'PUT',
      `${n2.url}/_replicator/both`,
      repDoc({ proxy: relay.url, target_proxy: relay.url }),
    );
    assert.equal(bad.status, 403);
    assert.match(JSON.stringify(bad.body), /`proxy` is mutually exclusive with `target_proxy`/);
  });
});
