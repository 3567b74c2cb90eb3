// CLUSTERS (#17): a members-only cluster node (no load balancer: no `url`) reached through the relay
// (`via_relay: r1`). The `_replicator` docs name c by its FIRST member's URL with `source_proxy` /
// `target_proxy` = the relay, which CouchDB leaves out of the replication id (couch_replicator_ids;
// REFERENCE.md A1, F). The relay knows c's member group and sends c1's traffic to the first live
// member. Stopping c1 then changes nothing the replicator can see: data flows both ways through c2,
// the replication ids and checkpoints stay (no re-scan from 0), and plan has nothing to do.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { desiredState } from '../../src/plan/desired.ts';
import { observeMesh } from '../../src/plan/observe.ts';
import { makePlan } from '../../src/plan/plan.ts';
import { type Relay, startRelay } from '../../src/relay/relay.ts';
import { DB, type Json, until } from '../telemetry/helpers.ts';
import { CLUSTER, ClusterWorld, docOf } from './lib/world.ts';

const dest = (url: string) => ({ host: new URL(url).hostname, port: Number(new URL(url).port) });

describe('a members-only cluster through the relay (via_relay): a member down keeps ids and data', () => {
  const w = new ClusterWorld();
  let relay: Relay;
  const relayLog: string[] = [];
  const [c1, c2] = ['couchdb@c1.local', 'couchdb@c2.local'];
  /** the embedded node behind every member: the truth, whichever member is down */
  const core = () => w.nodes.get(CLUSTER)?.url as string;
  const schedIds = async () => {
    const ids: Record<string, string> = {};
    for (const [node, base] of [
      [CLUSTER, core()],
      ['s1', w.url('s1')],
    ] as const) {
      const r = await w.ok(node, 'GET', '/_scheduler/docs/_replicator', undefined, base);
      for (const d of r.docs as Json[]) if (d.id) ids[d.doc_id] = d.id;
    }
    return ids;
  };
  /** the checkpoint `_local` doc of a replication id, read on the source */
  const checkpoint = async (id: string, source: string, base: string) =>
    w.ok(source, 'GET', `/${DB}/_local/${id.split('+')[0]}`, undefined, base);
  const count = async (base: string) =>
    (await w.ok('x', 'GET', `/${DB}`, undefined, base)).doc_count as number;
  const arrived = (base: string, n: number) =>
    until(`${n} docs at ${base}`, async () => ((await count(base)) >= n ? true : undefined), 500);
  const plan = async () => {
    const m = w.openMesh();
    return makePlan(desiredState(m.spec, m.passwordOf), await observeMesh(m.spec, m.clients));
  };

  before(async () => {
    await w.start([{ name: CLUSTER }, { name: 's1' }, { name: 'r1' }], [[CLUSTER, 's1']]);
    const members = w.cluster.members.map((m) => w.cluster.memberUrl(m));
    relay = await startRelay({
      port: 0,
      allow: [],
      members: [members.map(dest)],
      connectTimeoutMs: 2_000,
      log: (l) => relayLog.push(l),
    });
    // c: members only (no url) through r1; r1 a relay node with the proxy's URL
    let text = readFileSync(w.file, 'utf8');
    const cLine = `  ${CLUSTER}: { url: "${w.cluster.url}",`;
    const rLine = `  r1: { url: "${w.url('r1')}",`;
    assert.ok(text.includes(cLine) && text.includes(rLine), text);
    text = text
      .replace(cLine, `  ${CLUSTER}: { members: [${members.map((u) => `"${u}"`).join(', ')}], via_relay: r1,`)
      .replace(rLine, `${rLine} role: relay,`);
    writeFileSync(w.file, `${text}failover:\n  relays:\n    r1: { proxy: "${relay.url}" }\n`);
    await w.apply();
  });

  after(async () => {
    await relay?.close(0);
    await w.close();
  });

  it('names c by its first member with the relay as proxy, and flows both ways', async () => {
    const m = w.openMesh();
    const docs = desiredState(m.spec, m.passwordOf).docs;
    const pull = docs.find((d) => d.id === docOf('s1', CLUSTER)) as (typeof docs)[number];
    const push = docs.find((d) => d.id === docOf(CLUSTER, 's1')) as (typeof docs)[number];
    const first = w.cluster.memberUrl(c1);
    assert.equal(pull.body.target_proxy, relay.url);
    assert.equal(pull.body.source_proxy, undefined);
    assert.ok((pull.body.target as { url: string }).url.startsWith(first));
    assert.equal(push.body.source_proxy, relay.url);
    assert.ok((push.body.source as { url: string }).url.startsWith(first));
    await w.write('s1', 'a', 5, {}); // s1 -> c
    await w.ok('c', 'PUT', `/${DB}/from-c-a`, { v: 1 }, core()); // c -> s1
    await arrived(core(), 6);
    await arrived(w.url('s1'), 6);
    assert.deepEqual((await plan()).actions, []);
  });

  it('c1 down: data still flows through c2, ids and checkpoints stay, plan stays empty', async () => {
    const ids = await schedIds();
    assert.ok(ids[docOf('s1', CLUSTER)] && ids[docOf(CLUSTER, 's1')], JSON.stringify(ids));
    const pullId = ids[docOf('s1', CLUSTER)] as string;
    const pushId = ids[docOf(CLUSTER, 's1')] as string;
    // checkpointed before c1 goes (checkpoint_interval is 100 ms here)
    const written = (id: string, source: string, base: string) =>
      until(`checkpoint of ${id}`, () => checkpoint(id, source, base));
    const before = {
      pull: await written(pullId, 's1', w.url('s1')),
      push: await written(pushId, CLUSTER, core()),
    };
    const served = relayLog.length;
    await w.cluster.down(c1);
    await w.write('s1', 'b', 5, {});
    await w.ok('c', 'PUT', `/${DB}/from-c-b`, { v: 1 }, core());
    await arrived(core(), 12);
    await arrived(w.url('s1'), 12);
    // the relay sent c1's traffic to c2
    const moved = relayLog.slice(served).filter((l) => l.includes('refused, sent to'));
    assert.ok(moved.length > 0, relayLog.slice(served).join('\n'));
    assert.ok(moved.every((l) => l.endsWith(`sent to ${new URL(w.cluster.memberUrl(c2)).host}`)));
    assert.deepEqual(await schedIds(), ids);
    // the same checkpoint docs moved on from where they were (a re-scan would start a new lineage at 0)
    const seq = (c: Json) => Number(String(c.source_last_seq).split('-')[0]);
    const nowPull = await until('pull checkpoint past b', async () => {
      const c = await checkpoint(pullId, 's1', w.url('s1'));
      return seq(c) > seq(before.pull) ? c : undefined;
    });
    const nowPush = await until('push checkpoint past b', async () => {
      const c = await checkpoint(pushId, CLUSTER, core());
      return seq(c) > seq(before.push) ? c : undefined;
    });
    for (const [was, now] of [
      [before.pull, nowPull],
      [before.push, nowPush],
    ] as const)
      assert.ok(
        (now.history as Json[]).some(
          (h) => h.session_id === was.session_id || h.recorded_seq === was.source_last_seq,
        ),
        `lineage kept: ${JSON.stringify({ was, now })}`,
      );
    assert.deepEqual((await plan()).actions, []);
  });
});
