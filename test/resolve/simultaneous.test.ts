// Must show: resolvers running simultaneously on two nodes converge without new conflicts. Both nodes
// hold the same conflicts (replicated); a one-shot resolver runs on each at the same time while the
// replication keeps running. Wherever both resolved a document they wrote the same merged revision id
// (canonical body on CouchDB's winner, rev ids computed as CouchDB does) and the same audit entry, so
// after replication every document has exactly one live leaf — with no second resolver pass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbPath } from '../../src/couch/index.ts';
import {
  listAuditEntries,
  parseConflictsConfig,
  type ResolverEvent,
  ResolverWorker,
} from '../../src/resolve/index.ts';
import {
  converged,
  createDb,
  linkAll,
  startTestNode,
  type TestNode,
  winners,
  writeConflicts,
} from './helpers.ts';

const DB = 'sensors';
const AUDIT = 'couchmesh_audit';
const N = 300;
const CONFIG = parseConflictsConfig({
  strategy: 'lww',
  timestamp: 'updated_at',
  types: { profile: { strategy: 'field-merge', timestamps: 'field_ts' } },
  batch_size: 25,
  concurrency: 3,
});

describe('two resolvers at once', () => {
  const nodes: TestNode[] = [];
  before(async () => {
    for (const name of ['a', 'b']) nodes.push(await startTestNode(name));
    for (const n of nodes) for (const db of [DB, AUDIT]) await createDb(n, db);
    await linkAll(nodes, [DB, AUDIT]);
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
  });

  it('write the same merged revisions: identical winners, no new conflicts, one audit entry each', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    // three leaves per doc; the latest timestamp is on a losing leaf for most docs, so merges write
    // new revisions (not just deletions), with 1.0-style numbers and unsorted keys in the leaves
    await writeConflicts(a, DB, N, 3, (i, l) =>
      i % 2
        ? {
            type: 'profile',
            [`k${l}`]: l * 1.5,
            name: `n${l}`,
            field_ts: { [`k${l}`]: l, name: (i + l) % 3 },
          }
        : { z: 1, value: i + l, updated_at: 100 + ((i + 2 * l) % 3), type: 'reading' },
    );
    const leavesBefore = await converged(nodes, DB);
    assert.equal(leavesBefore.size, N);

    const byNode = new Map<string, Map<string, Extract<ResolverEvent, { type: 'resolved' }>>>();
    const reports = await Promise.all(
      nodes.map(async (n) => {
        const resolved = new Map<string, Extract<ResolverEvent, { type: 'resolved' }>>();
        byNode.set(n.name, resolved);
        const w = await ResolverWorker.create({
          client: n.client,
          db: DB,
          config: CONFIG,
          name: n.name,
          onEvent: (e) => {
            if (e.type === 'resolved') resolved.set(e.docId, e);
          },
        });
        return w.runOnce();
      }),
    );
    for (const r of reports) assert.equal(r.stats.failed, 0);

    const after = await converged(nodes, DB);
    await converged(nodes, AUDIT);
    // no new conflicts: every doc has one live leaf, on both nodes, without another resolver pass
    for (const n of nodes)
      for (const [id, w] of await winners(n, DB)) assert.deepEqual(w.conflicts, [], `${n.name}/${id}`);
    // and no extra branch: the result plus one tombstone per loser, nothing else
    for (const [id, leaves] of after) assert.equal(leaves.length, 3, `${id}: ${leaves.join(' ')}`);

    // where both resolved a doc, they wrote the same revision and recorded the same entry
    const ra = byNode.get('a') as Map<string, Extract<ResolverEvent, { type: 'resolved' }>>;
    const rb = byNode.get('b') as Map<string, Extract<ResolverEvent, { type: 'resolved' }>>;
    const both = [...ra.keys()].filter((id) => rb.has(id));
    assert.ok(both.length > N / 4, `both nodes resolved the same docs concurrently (${both.length} of ${N})`);
    let merged = 0;
    for (const id of both) {
      const x = ra.get(id) as Extract<ResolverEvent, { type: 'resolved' }>;
      const y = rb.get(id) as Extract<ResolverEvent, { type: 'resolved' }>;
      assert.equal(x.resultRev, y.resultRev, `${id}: same merged revision on both nodes`);
      assert.equal(x.entry, y.entry, `${id}: same audit entry`);
      if (x.merged) merged++;
    }
    assert.ok(merged > both.length / 3, `most of them were new merged revisions (${merged})`);
    const wa = await winners(a, DB);
    for (const id of both) assert.equal(wa.get(id)?.rev, ra.get(id)?.resultRev);

    // the audit: one entry per resolution (the same one recorded on both nodes sits in a batch of
    // each, read once), replicated without conflicts
    const entries = await listAuditEntries(b.client, AUDIT);
    const ids = new Set([...ra.values(), ...rb.values()].map((e) => e.entry));
    assert.equal(entries.length, ids.size);
    for (const e of entries) assert.ok(ids.has(e._id), `${e._id} is a resolution of this run`);
    const audit = await b.client.get<{ rows: Array<{ doc: { _id: string; _conflicts?: string[] } }> }>(
      `${dbPath(AUDIT)}/_all_docs`,
      { include_docs: true, conflicts: true },
    );
    for (const r of audit.rows) assert.equal(r.doc._conflicts, undefined);
  });
});
