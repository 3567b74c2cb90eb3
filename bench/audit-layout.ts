// The audit's storage layout (a program, not a test): `npm run bench:audit-layout`.
//
// The same N resolution entries (default 2,000, lww over bench/lib/conflict-world.ts's conflicts, as
// `conflicts resolve` builds them) stored two ways, interleaved, each round in a fresh database:
//   per-entry - one document per entry (`_bulk_docs new_edits:false`, rev `1-<id hash>`), how the audit
//               stored them before batch documents; sent as the group commit did: the first 500 at
//               once, the 1,500 that waited meanwhile together;
//   batched   - `CouchAuditSink.record`, four callers of 500 at once as the pipeline records (group
//               commit, chunks of <= 1,000 entries: a `b:` batch and its `x:` index each).
// Each layout has a server of its own (an embedded node in its own process, or COUCH_URL for both).
// Printed: the server's CPU per entry (the bottleneck of resolving),
// wall time per entry, and their ratio batched / per-entry. COUCH_URL measures any server (wall only).
//
//   node --import tsx bench/audit-layout.ts [--entries=N] [--rounds=N (5)] [--in-memory]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dbPath } from '../src/couch/index.ts';
import {
  type AuditEntry,
  ConflictResolver,
  CouchAuditSink,
  parseConflictsConfig,
  planResolution,
} from '../src/resolve/index.ts';
import { docId, leavesOf, startTarget, type Target } from './lib/conflict-world.ts';
import { loadNote } from './lib/format.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    'in-memory': { type: 'boolean', default: false },
  },
});
const N = Number(values.entries);
const ROUNDS = Number(values.rounds);

async function entries(n: number): Promise<AuditEntry[]> {
  const resolver = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww' }));
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const decision = await resolver.decide(docId(i), leavesOf(i));
    if (!decision) throw new Error('no conflict?');
    out.push(planResolution(decision, { db: 'sensors', now: '2026-01-01T00:00:00.000Z' }).entry);
  }
  return out;
}

async function perEntry(t: Target, db: string, all: AuditEntry[]): Promise<void> {
  const docs = all.map((e) => ({ ...e, _rev: `1-${e._id.slice(-32)}` }));
  for (const part of [docs.slice(0, 500), docs.slice(500)])
    if (part.length) await t.client.post(`${dbPath(db)}/_bulk_docs`, { docs: part, new_edits: false });
}

async function batched(t: Target, db: string, all: AuditEntry[]): Promise<void> {
  const sink = new CouchAuditSink(t.client, db);
  const parts = [];
  for (let i = 0; i < all.length; i += 500) parts.push(all.slice(i, i + 500));
  const refused = await Promise.all(parts.map((p) => sink.record(p)));
  if (refused.some((m) => m.size)) throw new Error('the audit refused entries');
}

const LAYOUTS = { 'per-entry': perEntry, batched } as const;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? Number.NaN;

// one server per layout: neither pays for the other's leftovers (WAL checkpoints, page cache)
const targets = {
  'per-entry': await startTarget({ inMemory: values['in-memory'] }),
  batched: await startTarget({ inMemory: values['in-memory'] }),
};
try {
  const all = await entries(N);
  const bytes = all.reduce((s, e) => s + JSON.stringify(e).length, 0) / all.length;
  console.log(
    `audit layout: ${N} resolution entries (~${Math.round(bytes)} bytes each), each layout on its own ${targets.batched.label}`,
  );
  console.log(`  ${loadNote()}`);
  const cpu: Record<string, number[]> = { 'per-entry': [], batched: [] };
  const wall: Record<string, number[]> = { 'per-entry': [], batched: [] };
  // round 0 warms both up and is not reported
  for (let r = 0; r <= ROUNDS; r++)
    for (const [name, run] of Object.entries(LAYOUTS)) {
      const t = targets[name as keyof typeof LAYOUTS];
      const db = `audit_${r}`;
      await t.client.put(dbPath(db));
      const [c0, w0] = [t.cpuUs(), performance.now()];
      await run(t, db, all);
      const [c, w] = [(t.cpuUs() - c0) / N, ((performance.now() - w0) * 1000) / N];
      if (r === 0) continue;
      cpu[name]?.push(c);
      wall[name]?.push(w);
    }
  const us = (x: number) => (Number.isNaN(x) ? 'n/a' : `${Math.round(x)} us`);
  console.log(`medians of ${ROUNDS} rounds, per entry:`);
  for (const name of Object.keys(LAYOUTS))
    console.log(
      `  ${name.padEnd(10)} server CPU ${us(median(cpu[name] ?? []))}, wall ${us(median(wall[name] ?? []))}`,
    );
  const ratio = (m: Record<string, number[]>) =>
    (median(m.batched ?? []) / median(m['per-entry'] ?? [])).toFixed(2);
  console.log(`ratio batched / per-entry: server CPU ${ratio(cpu)}x, wall ${ratio(wall)}x`);
} finally {
  await targets['per-entry'].close();
  await targets.batched.close();
}
