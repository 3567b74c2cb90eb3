import type { Clock } from '../core/clock.ts';
import type { CouchClient } from '../couch/index.ts';
import type { DeclineEntry } from './audit/entry.ts';
import type { AuditSink } from './audit/sink.ts';
import type { ConflictResolver } from './decide.ts';
import type { EventSink } from './events.ts';
import type { LeafReader } from './io/fetch.ts';
import { planDocsText, type WriteOutcome, writePlans } from './io/write.ts';
import type { FetchedLeaf, Leaf } from './leaf.ts';
import type { KnownLeaves, Limiter } from './pipeline.ts';
import { planDecline, planResolution, type ResolutionPlan } from './plan.ts';
import type { StatsRecorder } from './stats.ts';

export interface BatchDeps {
  client: CouchClient;
  db: string;
  reader: LeafReader;
  resolver: ConflictResolver;
  /** undefined in a dry run. */
  audit: AuditSink | undefined;
  stats: StatsRecorder;
  known: KnownLeaves;
  clock: Clock;
  emit: EventSink;
  recordedBy?: string;
  /** Attempts per document (the first one included) before it is reported failed. */
  maxAttempts: number;
  signal?: AbortSignal;
  /**
   * One leaf read in flight at a time across the batches sharing it. Without it every batch of a page
   * reads at once, the answers queue up in our one event loop, and the first batch's audit and write
   * wait behind the decisions of all the others: the node then idles while we decide, and we idle
   * while it writes (wall time = both CPUs summed). Staggered, batch k+1 is read and decided while
   * the node stores batch k.
   */
  readGate?: Limiter;
  /**
   * One batch deciding at a time: decisions yield to the event loop every few dozen documents so that
   * the answers of other batches go on at once (their audit or write leaves, the next read is sent),
   * but two batches deciding in turns would both finish late; this one first, then the next.
   */
  decideGate?: Limiter;
}

const YIELD_EVERY = 50;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

const revsOf = (leaves: readonly FetchedLeaf[]) => leaves.map((l) => l.rev);

/** The doc's leaves after a fully applied write, with the revs the server answered. */
function leavesAfter(p: ResolutionPlan, all: readonly FetchedLeaf[], o: WriteOutcome): string[] {
  const d = p.decision;
  const changed = d.outcome.ok && d.outcome.changed;
  const gone = new Set([...(changed ? [d.parent.rev] : []), ...d.losers.map((l) => l.rev)]);
  return [
    ...revsOf(all).filter((r) => !gone.has(r)),
    ...(o.mergedRev ? [o.mergedRev] : []),
    ...o.deleted.values(),
  ];
}

/**
 * Resolves a batch of candidate documents: one leaf read, the strategies, one audit write, one
 * `_bulk_docs`. Documents whose write met a 409 (the winner or a loser moved on meanwhile) are read
 * again and resolved again; leaves an earlier attempt already deleted are carried into the next
 * merge so that a half-applied attempt loses nothing. Returns how many documents were written.
 */
export async function processBatch(d: BatchDeps, ids: readonly string[]): Promise<number> {
  let pending = [...new Set(ids)];
  const carried = new Map<string, Leaf[]>();
  let wrote = 0;
  for (let attempt = 0; pending.length; attempt++) {
    await d.readGate?.acquire();
    let parse: () => Map<string, FetchedLeaf[]>;
    try {
      parse = await d.reader.receive(pending, d.signal);
    } finally {
      d.readGate?.release();
    }
    // Let the next batch send its read before this one parses and decides (synchronous, CPU-bound):
    // without this turn of the event loop its request leaves only at our audit's await, and the node
    // idles meanwhile.
    if (d.readGate) await nextTurn();
    const fetched = parse();
    await d.decideGate?.acquire();
    let decided: Decided;
    try {
      decided = await decideAll(d, pending, fetched, carried, attempt);
    } finally {
      d.decideGate?.release();
    }
    const { plans, declines } = decided;
    if (!d.audit) {
      for (const p of plans) d.emit({ type: 'planned', ...summary(p) });
      return 0;
    }
    // the audit first: a document whose entry could not be stored is not touched
    const refused = await d.audit.record([...plans.map((p) => p.entry), ...declines]);
    const writable = plans.filter((p) => !refused.has(p.entry._id));
    for (const p of plans)
      if (refused.has(p.entry._id)) {
        d.stats.add('failed');
        d.emit({ type: 'failed', docId: p.docId, reason: `audit refused: ${refused.get(p.entry._id)}` });
      }
    const results = await writePlans(d.client, d.db, writable, d.signal);
    const next: string[] = [];
    for (const p of writable) {
      const o = results.get(p.docId) as WriteOutcome;
      d.stats.add('revisions', (o.mergedRev ? 1 : 0) + o.deleted.size);
      if (o.errors.length === 0) {
        wrote++;
        d.stats.add('resolved');
        d.known.set(p.docId, leavesAfter(p, fetched.get(p.docId) ?? [], o));
        d.emit({
          type: 'resolved',
          entry: p.entry._id,
          ...summary(p),
          resultRev: o.mergedRev ?? p.resultRev,
        });
        continue;
      }
      const why = o.errors.map((e) => `${e.rev}: ${e.error}`).join(', ');
      if (o.errors.every((e) => e.error === 'conflict') && attempt + 1 < d.maxAttempts) {
        d.stats.add('retried');
        d.emit({ type: 'retry', docId: p.docId, reason: why });
        if (!o.mergedOk) {
          const gone = p.decision.losers.filter((l) => o.deleted.has(l.rev));
          carried.set(p.docId, [
            ...(carried.get(p.docId) ?? []),
            ...gone.map((l) => ({ rev: l.rev, body: l.body })),
          ]);
        }
        next.push(p.docId);
      } else {
        d.stats.add('failed');
        d.emit({ type: 'failed', docId: p.docId, reason: why });
      }
    }
    pending = next;
  }
  return wrote;
}

interface Decided {
  plans: ResolutionPlan[];
  declines: DeclineEntry[];
}

/** The strategies over a batch's leaves: what to audit and write (declines are audited only). */
async function decideAll(
  d: BatchDeps,
  pending: readonly string[],
  fetched: Map<string, FetchedLeaf[]>,
  carried: Map<string, Leaf[]>,
  attempt: number,
): Promise<Decided> {
  const now = new Date(d.clock.now()).toISOString();
  const plans: ResolutionPlan[] = [];
  const declines: DeclineEntry[] = [];
  let n = 0;
  for (const id of pending) {
    // let the answers of the other batches in flight through every few dozen documents: their audit
    // or write goes out at once instead of after this whole batch's decisions
    if (d.readGate && ++n % YIELD_EVERY === 0) await nextTurn();
    const all = fetched.get(id) ?? [];
    // built-in strategies answer synchronously: no promise (and microtask) per document
    const got = d.resolver.decide(id, all, carried.get(id));
    const decision = got instanceof Promise ? await got : got;
    if (!decision) {
      d.stats.add('clean');
      d.known.set(id, revsOf(all));
      continue;
    }
    if (attempt === 0) d.stats.add('seen');
    if (!decision.outcome.ok) {
      d.stats.add('declined');
      const entry = planDecline(decision, { db: d.db, now, recordedBy: d.recordedBy });
      declines.push(entry);
      d.emit({
        type: 'declined',
        docId: id,
        strategy: decision.strategy,
        reason: decision.outcome.reason,
        ...(d.audit ? { entry: entry._id } : {}),
      });
      continue;
    }
    const plan = planResolution(decision, { db: d.db, now, recordedBy: d.recordedBy });
    if (plan.docs.length === 0) {
      // only carried leaves, already merged into the winner: an earlier attempt finished the job
      d.stats.add('resolved');
      d.known.set(id, revsOf(all));
      continue;
    }
    if (d.audit) planDocsText(plan); // the write's text now, not between the audit's answer and the write
    plans.push(plan);
  }
  return { plans, declines };
}

function summary(p: ResolutionPlan) {
  const ok = p.decision.outcome.ok && p.decision.outcome.changed;
  return {
    docId: p.docId,
    strategy: p.decision.strategy,
    resultRev: p.resultRev,
    losers: p.decision.losers.map((l) => l.rev),
    merged: ok,
  };
}
