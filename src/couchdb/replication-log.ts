/**
 * CouchDB's resume rule for a replication: `compare_replication_logs/2` and `compare_rep_history/2`
 * (couch_replicator_scheduler_job, CouchDB 3.x; REFERENCE A4 "Resume logic"), over the two
 * `_local/<replication id>` checkpoint docs, one on the source and one on the target:
 *  1. same `session_id` on both -> resume from the source's `source_last_seq`, with its history;
 *  2. otherwise walk both histories together, newest first: the source's head if its session is
 *     anywhere in the target's history (-> its `recorded_seq`, and the source history AFTER it), else
 *     the target's head if its session is in the rest of the source's history (-> its
 *     `recorded_seq`, and the target history after it), else drop both heads and go on;
 *  3. either history exhausted: "no common ancestry" -> 0 (a full re-scan; the job's `since_seq`,
 *     if any, applies instead).
 * Missing fields read as CouchDB's defaults (`?LOWEST_SEQ` = 0, history `[]`). Seqs are never
 * compared, only handed back: a resume seq goes to the source as `since`.
 */
import type { Seq } from './seq.ts';

/** What the rule reads of a history entry (CouchDB writes more: times, counters). */
export interface ReplicationHistoryEntry {
  session_id: string;
  recorded_seq?: Seq;
}

/** What the rule reads of a checkpoint doc. */
export interface ReplicationLog<H extends ReplicationHistoryEntry = ReplicationHistoryEntry> {
  session_id: string;
  source_last_seq?: Seq;
  history?: readonly H[];
}

export type ReplicationLogsComparison<H extends ReplicationHistoryEntry = ReplicationHistoryEntry> =
  | { kind: 'same-session'; seq: Seq; history: H[] }
  /** `entry` is the shared session's entry, found in the `side` history; `history` is what follows it. */
  | { kind: 'common-ancestor'; seq: Seq; history: H[]; entry: H; side: 'source' | 'target' }
  | { kind: 'no-common-ancestry'; seq: 0; history: H[] };

/** CouchDB's `?LOWEST_SEQ`. */
const LOWEST_SEQ = 0;

export function compareReplicationLogs<H extends ReplicationHistoryEntry>(
  source: ReplicationLog<H>,
  target: ReplicationLog<H>,
): ReplicationLogsComparison<H> {
  if (source.session_id === target.session_id)
    return {
      kind: 'same-session',
      seq: source.source_last_seq ?? LOWEST_SEQ,
      history: [...(source.history ?? [])],
    };
  return compareRepHistory(source.history ?? [], target.history ?? []);
}

function compareRepHistory<H extends ReplicationHistoryEntry>(
  src: readonly H[],
  tgt: readonly H[],
): ReplicationLogsComparison<H> {
  // one step of the Erlang recursion per index: both lists lose their head together
  for (let i = 0; i < src.length && i < tgt.length; i++) {
    if (hasSessionId((src[i] as H).session_id, tgt, i)) return commonAncestor(src, i, 'source');
    if (hasSessionId((tgt[i] as H).session_id, src, i + 1)) return commonAncestor(tgt, i, 'target');
  }
  return { kind: 'no-common-ancestry', seq: LOWEST_SEQ, history: [] };
}

/** The shared entry `history[i]`: its recorded_seq, and the history that follows it. */
function commonAncestor<H extends ReplicationHistoryEntry>(
  history: readonly H[],
  i: number,
  side: 'source' | 'target',
): ReplicationLogsComparison<H> {
  const entry = history[i] as H;
  return {
    kind: 'common-ancestor',
    seq: entry.recorded_seq ?? LOWEST_SEQ,
    history: history.slice(i + 1),
    entry,
    side,
  };
}

/** `has_session_id/2` over `list` from index `from` on. */
function hasSessionId(id: string, list: readonly ReplicationHistoryEntry[], from: number): boolean {
  for (let i = from; i < list.length; i++)
    if ((list[i] as ReplicationHistoryEntry).session_id === id) return true;
  return false;
}
