/**
 * Replication checkpoints in CouchDB's format (couch_replicator_scheduler_job:do_checkpoint) and
 * CouchDB's resume rule (compare_replication_logs, in src/couchdb/replication-log.ts): same
 * session on both sides -> its source_last_seq; else the history walk's shared entry -> its
 * recorded_seq; else from since_seq / 0 ("no common ancestry").
 */
import { compareReplicationLogs } from '../../couchdb/replication-log.ts';
import type { Seq } from '../../couchdb/seq.ts';

export type { Seq };

export interface HistoryEntry {
  session_id: string;
  start_time: string;
  end_time: string;
  start_last_seq: Seq;
  end_last_seq: Seq;
  recorded_seq: Seq;
  missing_checked: number;
  missing_found: number;
  docs_read: number;
  docs_written: number;
  doc_write_failures: number;
  bulk_get_docs: number;
  bulk_get_attempts: number;
}

export interface CheckpointDoc {
  _id?: string;
  _rev?: string;
  session_id: string;
  source_last_seq: Seq;
  replication_id_version: number;
  history: HistoryEntry[];
}

export const MAX_HISTORY = 50;

/** Where a job resumes: CouchDB's compare_replication_logs; undefined = no checkpoint pair or no common ancestry. */
export function resumeSeq(
  source: CheckpointDoc | undefined,
  target: CheckpointDoc | undefined,
): { seq: Seq; history: HistoryEntry[] } | undefined {
  if (!source || !target) return undefined;
  const c = compareReplicationLogs(source, target);
  return c.kind === 'no-common-ancestry' ? undefined : { seq: c.seq, history: c.history };
}

/** RFC 1123 date as CouchDB writes it in histories: "Fri, 27 Nov 2026 16:03:21 GMT". */
export const rfc1123 = (ms: number) => new Date(ms).toUTCString();

export interface SessionTotals {
  missing_checked: number;
  missing_found: number;
  docs_read: number;
  docs_written: number;
  doc_write_failures: number;
  bulk_get_docs: number;
  bulk_get_attempts: number;
}

export function checkpointBody(opts: {
  id: string;
  sessionId: string;
  startTime: number;
  now: number;
  startSeq: Seq;
  seq: Seq;
  totals: SessionTotals;
  previous: HistoryEntry[];
}): CheckpointDoc {
  const entry: HistoryEntry = {
    session_id: opts.sessionId,
    start_time: rfc1123(opts.startTime),
    end_time: rfc1123(opts.now),
    start_last_seq: opts.startSeq,
    end_last_seq: opts.seq,
    recorded_seq: opts.seq,
    ...opts.totals,
  };
  // within one session the newest entry replaces the session's previous one
  const rest = opts.previous.filter((h) => h.session_id !== opts.sessionId);
  return {
    _id: `_local/${opts.id}`,
    session_id: opts.sessionId,
    source_last_seq: opts.seq,
    replication_id_version: 4,
    history: [entry, ...rest].slice(0, MAX_HISTORY),
  };
}
