import type { Seq } from './checkpoint.ts';

/** The per-job counters CouchDB shows in `_scheduler/*` `info`, `_active_tasks` and `_replication_stats`. */
export interface RepStats {
  revisions_checked: number;
  missing_revisions_found: number;
  docs_read: number;
  docs_written: number;
  changes_pending: number | null;
  doc_write_failures: number;
  bulk_get_docs: number;
  bulk_get_attempts: number;
  checkpointed_source_seq: Seq;
  source_seq: Seq;
  through_seq: Seq;
}

/** Seqs as CouchDB shows them in job info: strings (a job that has not checkpointed yet shows "0"). */
const seqText = (s: Seq) => (typeof s === 'number' ? String(s) : s);

/** The stats object of `info` / `_active_tasks` / `_replication_stats`, in CouchDB's key order. */
export function statsJsonOf(stats: RepStats) {
  return {
    revisions_checked: stats.revisions_checked,
    missing_revisions_found: stats.missing_revisions_found,
    docs_read: stats.docs_read,
    docs_written: stats.docs_written,
    changes_pending: stats.changes_pending,
    doc_write_failures: stats.doc_write_failures,
    bulk_get_docs: stats.bulk_get_docs,
    bulk_get_attempts: stats.bulk_get_attempts,
    checkpointed_source_seq: seqText(stats.checkpointed_source_seq),
    source_seq: seqText(stats.source_seq),
    through_seq: seqText(stats.through_seq),
  };
}

export const emptyStats = (): RepStats => ({
  revisions_checked: 0,
  missing_revisions_found: 0,
  docs_read: 0,
  docs_written: 0,
  changes_pending: null,
  doc_write_failures: 0,
  bulk_get_docs: 0,
  bulk_get_attempts: 0,
  checkpointed_source_seq: 0,
  source_seq: 0,
  through_seq: 0,
});

/** Node-wide `couch_replicator` counters/gauges (`/_node/_local/_stats/couch_replicator`). */
export class ReplicatorCounters {
  readonly c = {
    'jobs.adds': 0,
    'jobs.duplicate_adds': 0,
    'jobs.removes': 0,
    'jobs.starts': 0,
    'jobs.stops': 0,
    'jobs.crashes': 0,
    requests: 0,
    'responses.success': 0,
    'responses.failure': 0,
    'stream_responses.success': 0,
    'stream_responses.failure': 0,
    'checkpoints.success': 0,
    'checkpoints.failure': 0,
    failed_starts: 0,
    changes_read_failures: 0,
    changes_reader_deaths: 0,
    worker_deaths: 0,
    workers_started: 0,
    'docs.completed_state_updates': 0,
    'docs.failed_state_updates': 0,
    'docs.db_changes': 0,
    'docs.dbs_found': 0,
    'docs.dbs_deleted': 0,
    db_scans: 0,
    changes_manager_deaths: 0,
    changes_queue_deaths: 0,
    'connection.acquires': 0,
    'connection.creates': 0,
    'connection.releases': 0,
    'connection.owner_crashes': 0,
    'connection.worker_crashes': 0,
    'connection.closes': 0,
  };

  inc(k: keyof ReplicatorCounters['c'], n = 1): void {
    this.c[k] += n;
  }
}

const DESC: Record<string, string> = {
  'jobs.adds': 'number of jobs added to replicator scheduler',
  'jobs.duplicate_adds': 'number of duplicate jobs added to replicator scheduler',
  'jobs.removes': 'number of jobs removed from replicator scheduler',
  'jobs.starts': 'number of jobs started by replicator scheduler',
  'jobs.stops': 'number of jobs stopped by replicator scheduler',
  'jobs.crashes': 'number of job crashed noticed by replicator scheduler',
  'jobs.running': 'replicator scheduler running jobs',
  'jobs.pending': 'replicator scheduler pending jobs',
  'jobs.crashed': 'replicator scheduler crashed jobs',
  'jobs.total': 'total number of replicator scheduler jobs',
  requests: 'number of HTTP requests made by the replicator',
  'responses.success': 'number of successful HTTP responses received by the replicator',
  'responses.failure': 'number of failed HTTP responses received by the replicator',
  'stream_responses.success': 'number of streaming HTTP responses received by the replicator',
  'stream_responses.failure': 'number of failed streaming HTTP responses received by the replicator',
  'checkpoints.success': 'number of checkpoints successfully saves',
  'checkpoints.failure': 'number of failed checkpoint saves',
  failed_starts: 'number of replications that have failed to start',
  changes_read_failures: 'number of failed replicator changes read failures',
  changes_reader_deaths: 'number of failed replicator changes readers',
  worker_deaths: 'number of failed replicator workers',
  workers_started: 'number of replicator workers started',
  'docs.completed_state_updates': "number of 'completed' state document updates",
  'docs.failed_state_updates': "number of 'failed' state document updates",
  'docs.db_changes': 'number of db changes processed by replicator doc processor',
  'docs.dbs_found': 'number of db shard found by replicator doc processor',
  'docs.dbs_deleted': 'number of db shard deletions seen by replicator doc processor',
  db_scans: 'number of times replicator db scans have been started',
  changes_manager_deaths: 'number of failed replicator changes managers',
  changes_queue_deaths: 'number of failed replicator changes work queues',
  'connection.acquires': 'number of times connections are shared',
  'connection.creates': 'number of connections created',
  'connection.releases': 'number of times ownership of a connection is released',
  'connection.owner_crashes':
    'number of times a connection owner crashes while owning at least one connection',
  'connection.worker_crashes': 'number of times a worker unexpectedly terminates',
  'connection.closes': 'number of times a worker is gracefully shut down',
};

/** Renders counters + gauges in CouchDB's nested `{value, type, desc}` shape. */
export function renderStats(
  counters: ReplicatorCounters,
  gauges: Record<'running' | 'pending' | 'crashed' | 'total', number>,
) {
  const out: Record<string, unknown> = {};
  const put = (path: string, value: number, type: 'counter' | 'gauge') => {
    const parts = path.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) {
      o[p] ??= {};
      o = o[p] as Record<string, unknown>;
    }
    o[parts[parts.length - 1] as string] = { value, type, desc: DESC[path] ?? path };
  };
  for (const [k, v] of Object.entries(counters.c)) put(k, v, 'counter');
  for (const [k, v] of Object.entries(gauges)) put(`jobs.${k}`, v, 'gauge');
  return out;
}
