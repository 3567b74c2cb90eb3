// Must show: a partition test on embedded nodes. Three nodes replicate `sensors` (and the audit db)
// with continuous `_replicator` docs; the links are deleted (partition), the same documents are written
// differently on each side, the links are recreated (heal). Resolvers then follow `_changes` on every
// node at once. The mesh ends with identical winning revisions everywhere, zero `_conflicts`, every
// losing leaf in the audit (replicated: one entry per resolution, without conflicts of its own), and
// the merges the per-type strategies promise.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dbPath } from '../../src/couch/index.ts';
import type { ResolutionEntry } from '../../src/resolve/index.ts';
import { listAuditEntries, parseConflictsConfig, ResolverWorker } from '../../src/resolve/index.ts';
import {
  converged,
  createDb,
  linkAll,
  poll,
  sameMaps,
  startTestNode,
  type TestNode,
  winners,
} from './helpers.ts';

const DB = 'sensors';
const AUDIT = 'couchmesh_audit';
const N = 24;
const CONFIG = parseConflictsConfig({
  strategy: 'lww',
  timestamp: 'updated_at',
  types: {
    profile: { strategy: 'field-merge', timestamps: 'field_ts' },
    tagset: { strategy: 'union', fields: ['tags'] },
    counter: { strategy: 'max', field: 'n' },
  },
  batch_size: 5,
  concurrency: 2,
});
const TYPES = ['reading', 'profile', 'tagset', 'counter'] as const;
const id = (i: number) => `s-${String(i).padStart(2, '0')}`;

/** What node `k` (0..2) writes to doc `i` while partitioned. */
function edit(i: number, k: number, base: Record<string, unknown>): Record<string, unknown> {
  const type = TYPES[i % 4];
  const t = 1000 + ((i * 7 + k * 13) % 5); // equal timestamps happen: the rev id breaks the tie
  switch (type) {
    case 'reading':
      return { ...base, value: i * 10 + k, updated_at: t, by: `n${k + 1}` };
    case 'profile':
      return {
        ...base,
        [`f${k}`]: `from n${k + 1}`,
        name: `name by n${k + 1}`,
        field_ts: { ...(base.field_ts as object), [`f${k}`]: t, name: t + k },
      };
    case 'tagset':
      return { ...base, tags: [...(base.tags as string[]), `t${k}`, `t${i % 3}`] };
    default:
      return { ...base, n: ((i + k * 5) % 7) + 1 };
  }
}

describe('partition and heal with resolvers on every node', () => {
  const nodes: TestNode[] = [];
  before(async () => {
    for (const name of ['n1', 'n2', 'n3']) nodes.push(await startTestNode(name));
    for (const n of nodes) for (const db of [DB, AUDIT]) await createDb(n, db);
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
  });

  it('ends with identical winners everywhere, zero conflicts, and every losing leaf in the audit', async () => {
    const [n1] = nodes as [TestNode];
    await linkAll(nodes, [DB, AUDIT]);
    const base = Array.from({ length: N }, (_, i) => ({
      _id: id(i),
      type: TYPES[i % 4],
      tags: ['base'],
      field_ts: {},
      n: 0,
      updated_at: 1,
    }));
    await n1.client.post(`${dbPath(DB)}/_bulk_docs`, { docs: base });
    const synced = await converged(nodes, DB);
    assert.equal(synced.size, N);

    // partition: every link down, then each node edits every doc its own way (n3 skips a few)
    await linkAll(nodes, [DB, AUDIT], true);
    for (const [k, n] of nodes.entries()) {
      const current = await winners(n, DB);
      const docs = base
        .map((b, i) => ({ ...edit(i, k, b), _rev: current.get(b._id)?.rev }))
        .filter((_, i) => !(k === 2 && i % 5 === 0));
      await n.client.post(`${dbPath(DB)}/_bulk_docs`, { docs });
    }
    // heal
    await linkAll(nodes, [DB, AUDIT]);
    await converged(nodes, DB);
    const before = await winners(n1, DB);
    const conflicted = [...before].filter(([, w]) => w.conflicts.length > 0);
    assert.equal(conflicted.length, N, 'every doc is in conflict after the heal');
    const liveBefore = new Map(conflicted.map(([d, w]) => [d, [w.rev, ...w.conflicts]]));

    // resolvers on all three nodes at once, following _changes
    const stop = new AbortController();
    const runs = await Promise.all(
      nodes.map(async (n) => {
        const w = await ResolverWorker.create({ client: n.client, db: DB, config: CONFIG, name: n.name });
        return { w, done: w.follow({ signal: stop.signal }) };
      }),
    );
    const final = await poll('no conflicts and identical winners on every node', async () => {
      const all = await Promise.all(nodes.map((n) => winners(n, DB)));
      const clean = all.every((m) => [...m.values()].every((w) => w.conflicts.length === 0));
      return clean && all.every((m) => sameMaps(m, all[0] as Map<string, unknown>)) ? all[0] : undefined;
    });
    await converged(nodes, DB);
    await converged(nodes, AUDIT);
    stop.abort();
    const reports = await Promise.all(runs.map((r) => r.done));
    assert.ok(reports.reduce((s, r) => s + r.stats.resolved, 0) >= N, 'the resolvers resolved every doc');
    for (const r of reports) assert.equal(r.stats.failed, 0);

    // identical winning revisions, zero _conflicts (polled above), on every node
    assert.ok(final);
    for (const n of nodes) assert.ok(sameMaps(await winners(n, DB), final));

    // every losing leaf is in the audit: every live leaf at the heal is either an ancestor of the final
    // winner or a loser of a recorded resolution, with its body
    const audit = await n1.client.get<{ rows: Array<{ doc: { _id: string; _conflicts?: string[] } }> }>(
      `${dbPath(AUDIT)}/_all_docs`,
      { include_docs: true, conflicts: true },
    );
    for (const e of audit.rows)
      assert.equal(e.doc._conflicts, undefined, `audit document ${e.doc._id} has no conflicts`);
    const entries = (await listAuditEntries(n1.client, AUDIT)).filter(
      (d): d is ResolutionEntry => d.type === 'couchmesh.resolution',
    );
    for (const [docId, live] of liveBefore) {
      const w = final.get(docId)?.rev as string;
      const doc = await n1.client.get<{ _revisions: { start: number; ids: string[] } }>(
        `${dbPath(DB)}/${docId}`,
        {
          revs: true,
        },
      );
      const history = new Set(doc._revisions.ids.map((h, i) => `${doc._revisions.start - i}-${h}`));
      const audited = new Map(
        entries.filter((e) => e.doc_id === docId).flatMap((e) => e.losers.map((l) => [l.rev, l])),
      );
      for (const rev of live) {
        if (history.has(rev)) continue;
        const l = audited.get(rev);
        assert.ok(l, `${docId}: losing leaf ${rev} (winner ${w}) is in the audit`);
        const body = await n1.client.get<Record<string, unknown>>(`${dbPath(DB)}/${docId}`, { rev });
        assert.deepEqual(
          l.body,
          Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('_'))),
          'with its full body',
        );
      }
    }

    // the strategies' promises, checked on a doc of each type
    type Doc = { f0?: string; f1?: string; f2?: string; tags: string[]; n: number; updated_at: number };
    const get = (i: number) => n1.client.get<Doc>(`${dbPath(DB)}/${id(i)}`);
    const profile = await get(1);
    assert.deepEqual(
      [profile.f0, profile.f1, profile.f2],
      ['from n1', 'from n2', 'from n3'],
      'field-merge keeps every side',
    );
    const tags = await get(2);
    assert.deepEqual([...tags.tags].sort(), ['base', 't0', 't1', 't2'], 'union of the tags');
    const counter = await get(3);
    assert.equal(counter.n, Math.max(...[0, 1, 2].map((k) => ((3 + k * 5) % 7) + 1)), 'max of n');
    const reading = await get(4);
    assert.equal(reading.updated_at, Math.max(...[0, 1, 2].map((k) => 1000 + ((4 * 7 + k * 13) % 5))), 'lww');
  });
});
