import type { AuditedLeaf, DeclineEntry, ResolutionEntry } from './audit/entry.ts';
import { entryId } from './audit/entry.ts';
import type { Decision } from './decide.ts';
import { type JsonObject, sameJson } from './json.ts';
import { predictRev } from './revs.ts';

/** The writes of one resolution and its audit entry, computed before anything is sent. */
export interface ResolutionPlan {
  docId: string;
  decision: Decision;
  /** For `_bulk_docs`: the merged body on the parent (when it changed), then a tombstone per loser. */
  docs: Array<Record<string, unknown>>;
  /** The winner after the write (predicted as CouchDB computes it). */
  resultRev: string;
  entry: ResolutionEntry;
}

export interface PlanContext {
  db: string;
  /** ISO time of recording (the injected clock's). */
  now: string;
  recordedBy?: string;
}

/** Builds the writes and the audit entry of an accepted decision (outcome ok). */
export function planResolution(decision: Decision, c: PlanContext): ResolutionPlan {
  if (!decision.outcome.ok) throw new TypeError('planResolution needs an accepted decision');
  const { docId, parent, losers } = decision;
  const { body, text, changed } = decision.outcome;
  const docs: Array<Record<string, unknown>> = [];
  let resultRev = parent.rev;
  if (changed) {
    resultRev = predictRev(parent.rev, text, { attachments: parent.attachments });
    const doc: Record<string, unknown> = { _id: docId, _rev: parent.rev, ...body };
    if (parent.attachments) doc._attachments = parent.attachments;
    docs.push(doc);
  }
  for (const l of losers) docs.push({ _id: docId, _rev: l.rev, _deleted: true });
  const loserRevs = losers.map((l) => l.rev).sort();
  // The entry keeps what cannot be derived: the tombstone revs are a function of the losers' revs
  // (tombstoneOf), the leaves are the parent and the losers unless leaves were carried over (leavesOf).
  // Smaller entries cost less to build, send, parse and store: one is written per resolution. Built by
  // assignment in a fixed order (no spread of temporary objects: hundreds are built per batch).
  const leaves = [...decision.considered].sort();
  const derived = [parent.rev, ...loserRevs].sort();
  const sameLeaves = leaves.length === derived.length && leaves.every((r, i) => r === derived[i]);
  const entry = {
    _id: entryId('r', docId, [parent.rev, loserRevs, resultRev]),
    type: 'couchmesh.resolution',
    db: c.db,
    doc_id: docId,
    strategy: decision.strategy,
  } as ResolutionEntry;
  if (decision.type !== undefined) entry.doc_type = decision.type;
  entry.parent_rev = parent.rev;
  entry.result_rev = resultRev;
  entry.merged = changed;
  if (changed) entry.parent_body = parent.body as JsonObject;
  entry.losers = losers.map((l) => {
    const a: AuditedLeaf = { rev: l.rev, body: l.body };
    if (l.attachments) a.attachments = l.attachments;
    if (sameJson(l.body, body)) a.won = true;
    return a;
  });
  if (!sameLeaves) entry.leaves = leaves;
  entry.recorded_at = c.now;
  if (c.recordedBy) entry.recorded_by = c.recordedBy;
  return { docId, decision, docs, resultRev, entry };
}

/** The audit entry of a decline: one per doc, leaf set and reason (so a re-run adds nothing). */
export function planDecline(decision: Decision, c: PlanContext): DeclineEntry {
  if (decision.outcome.ok) throw new TypeError('planDecline needs a declined decision');
  const leaves = [...decision.considered].sort();
  return {
    _id: entryId('d', decision.docId, [leaves, decision.strategy, decision.outcome.reason]),
    type: 'couchmesh.declined',
    db: c.db,
    doc_id: decision.docId,
    strategy: decision.strategy,
    ...(decision.type === undefined ? {} : { doc_type: decision.type }),
    reason: decision.outcome.reason,
    winner_rev: decision.parent.rev,
    leaves,
    recorded_at: c.now,
    ...(c.recordedBy ? { recorded_by: c.recordedBy } : {}),
  };
}
