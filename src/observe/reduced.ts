/**
 * Reduced confidence: a server without the scheduler API (e.g. express-pouchdb, CouchDB < 2.1)
 * only tells us what it writes into the `_replicator` document itself (REFERENCE A1 "Fields the
 * server writes back"): `_replication_state`, `_replication_state_time`, `_replication_state_reason`,
 * `_replication_stats`. With CouchDB's default `update_docs = false` only terminal states are
 * written, so a live job shows no state at all (`unknown`). No seqs, no crash counts: the health
 * rules that need them stay silent for such nodes, and the snapshot says so (`confidence: 'reduced'`).
 */
import { parseTime } from './backoff.ts';
import type { DocState, ReplicatorDoc, SchedulerDoc } from './types.ts';

/**
 * `triggered` (1.x / `update_docs = true`) means the job was started; `error` is what
 * `couch_replicator_docs:update_error` writes when a job crashes (`update_docs = true`), and
 * PouchDB's replicator writes it on failure: both map to `crashing`.
 */
const STATE_OF: Record<string, DocState> = {
  triggered: 'running',
  completed: 'completed',
  failed: 'failed',
  error: 'crashing',
};

export function schedulerDocFromReplicatorDoc(doc: ReplicatorDoc, database = '_replicator'): SchedulerDoc {
  const state = STATE_OF[doc._replication_state ?? ''] ?? 'unknown';
  const reason = doc._replication_state_reason ?? null;
  const stats = doc._replication_stats;
  const time = doc._replication_state_time;
  const iso = time && parseTime(time) !== null ? time : undefined;
  return {
    database,
    doc_id: doc._id,
    id: doc._replication_id ?? null,
    source: doc.source,
    target: doc.target,
    state,
    info:
      state === 'failed' || state === 'crashing'
        ? { error: reason }
        : stats && stats.revisions_checked !== undefined
          ? {
              revisions_checked: stats.revisions_checked,
              missing_revisions_found: stats.missing_revisions_found ?? 0,
              docs_read: stats.docs_read ?? 0,
              docs_written: stats.docs_written ?? 0,
              changes_pending: stats.changes_pending ?? null,
              doc_write_failures: stats.doc_write_failures ?? 0,
              checkpointed_source_seq: stats.checkpointed_source_seq,
            }
          : null,
    error_count: state === 'crashing' || state === 'failed' ? 1 : 0,
    ...(iso ? { last_updated: iso } : {}),
    source_proxy: null,
    target_proxy: null,
  };
}
