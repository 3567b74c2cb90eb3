/**
 * Playbook steps, from the seed (shared/seed/*.txt, paragraph "Incident resolution begins with
 * correlating _active_tasks …" and the closing paragraph) and REFERENCE A1/A2/A4. Each finding
 * carries one of these verbatim, so `doctor` and alerts say the same thing.
 */
export const PLAYBOOK = {
  /** seed: "the cause in _replication_state_reason … inspect the CouchDB log, filtering for couch_replicator entries" */
  inspectReason:
    'inspect _replication_state_reason (or _scheduler/docs info.error) and the couch_replicator log lines for this replication id',
  /** A2: `failed` is terminal: malformed doc, duplicate replication or invalid endpoint */
  fixFailed:
    'failed is terminal: fix the _replicator document (malformed, duplicate of another doc, or invalid endpoint) and recreate it; inspect _replication_state_reason',
  /** A2: `error`: the doc could not become a job, mainly a JS filter fetch failing */
  fixError:
    'the document could not be turned into a job (usually a filter fetch failing on the source): check the source is reachable and the filter exists; inspect the couch_replicator log lines',
  /** A2 `pending` + A5 `max_jobs` */
  starved:
    'scheduler starved: more jobs than [replicator] max_jobs on this node; raise max_jobs or move links to another node (jobs rotate every interval, max_churn at a time)',
  /** planner: the doc is part of the desired state */
  missingDoc: 'the _replicator document of this direction is missing: run couchmesh plan / apply',
  /** seed: "if it stops while source_seq keeps climbing, writes are failing (check doc_write_failures)" */
  stalled:
    'checkpointed_source_seq stopped while the source keeps advancing: check doc_write_failures and the couch_replicator log lines; if the checkpoint itself is stuck, delete the _local checkpoints on source and target and recreate the job to force a clean re-scan',
  /** seed + A2 (3.4.0+: only 401/403/413/415 are skipped and counted) */
  writesFailing:
    'writes are failing rather than progressing (doc_write_failures rising): the target refuses documents (401/403 _security or validate_doc_update, 413 max_document_size, 415); check the target and the couch_replicator log lines',
  /** seed: "automated alerting on sequence regression"; "to force a clean re-scan, delete the _local/ checkpoints" */
  regression:
    'sequence went backwards (database recreated or restored from backup, or checkpoints reset): verify the database, then delete the _local checkpoints on source and target and recreate the job to force a clean re-scan; a one-shot continuous:false job reconciles in a single pass',
  /** `couchmesh checkpoint reset` (or by hand): checkpoints deleted, job recreated */
  reset:
    'a deliberate checkpoint reset: the job re-scans from 0 (revisions_checked climbs while docs_written stays flat); nothing to do unless it does not catch up',
  /** seed: "the live checkpoint is stored in the _local/<replication_id> documents on source and target" + A4 resume logic */
  integrity:
    'the _local/<replication_id> checkpoints on source and target disagree: the next restart resumes from an older common session or re-scans from 0; delete the _local checkpoints on source and target and recreate the job to force a clean re-scan, then a one-shot continuous:false job reconciles in a single pass',
  /** seed: "Excessive revisions_checked and 429 Too Many Requests … indicate an over-aggressive full re-scan" + A2 429 handling */
  rescanStorm:
    '429s on a constrained gateway: an over-aggressive re-scan (revisions_checked rising, docs_written flat). Let it finish at a lower rate (after max_backoff CouchDB restarts the job with worker_processes=2, worker_batch_size=100, http_connections=5), verify the checkpoints were not lost, and lower http_connections / worker_batch_size for this link class',
  /** A3: changes_pending / seq prefix */
  lag: 'the target is behind the source: check the link bandwidth and the job state; a one-shot continuous:false job reconciles in a single pass',
  /** issue 6: "an unreachable node is itself a finding" */
  unreachable:
    'the node does not answer: check that CouchDB is running and reachable from here; links to and from it will show as crashing (http_request_failed) until it is back',
  /** the node answers, but its telemetry reads fail (HTTP errors, refused credentials, wrong shapes) */
  erroring:
    'the node answers but its telemetry reads fail: E_COUCH_AUTH/E_COUCH_FORBIDDEN mean the credentials in mesh.yaml are refused (check the user and its roles); a 500 or a wrong-shaped answer is the server failing (its log names the cause: a crashed application, a full disk)',
  stale:
    'telemetry for this node is older than expected: check the poller (couchmesh status --watch) and its logs',
  /** cluster-samples/46 + 54: a stopped member's docs are dropped from _scheduler/docs; the others serve */
  memberDown:
    "a cluster member is down (in _membership cluster_nodes, not in all_nodes): start it again or remove it from the cluster (PUT/DELETE /_node/_local/_nodes/NAME); the other members serve, and the jobs it owned move to them after the cluster's quiet period (cluster_quiet_period, 60 s); read the member's own couch.log for why it stopped",
  /** cluster-samples/46: `total_rows` counts the down owner's docs, the rows omit them */
  unassigned:
    'the _replicator document exists but its owner member is down, so no member runs it: nothing to apply; it moves to a live member after the quiet period (cluster_quiet_period, 60 s); if it stays unassigned, bring the member back or check _membership',
  /** cluster-samples/54 + 59: a job moving between members */
  handoff:
    'the job is moving between cluster members (initializing during the quiet period, or a Duplicate replication crash while the old owner stops it): nothing to do unless it stays so beyond the quiet period; then read the couch.log of both members named',
  reduced:
    'this server has no _scheduler API: only _replicator states are visible (no seqs, crash counts or stats); health is judged with reduced confidence',
} as const;

/** A more specific first step for well-known crash reasons (A2/A7), prepended to the generic one. */
export function reasonHint(reason: string | null): string | null {
  if (!reason) return null;
  if (/db_not_found/.test(reason))
    return 'a database does not exist: create it on the node named in the reason (couchmesh apply creates mesh databases), or set create_target';
  if (/max_backoff|\b429\b/.test(reason)) return PLAYBOOK.rescanStorm;
  if (/unauthorized|forbidden|\b401\b|\b403\b/.test(reason))
    return 'credentials refused: check the node auth in mesh.yaml and the _security of the databases';
  if (/http_request_failed|econnrefused|nxdomain|timeout/i.test(reason))
    return 'the peer is unreachable from the replicating node: check the peer and the network path (or a relay)';
  if (/checkpoint_commit_failure/.test(reason))
    return 'checkpoints cannot be written: the job needs write access to _local docs on both source and target';
  return null;
}
