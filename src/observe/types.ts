/**
 * Validated shapes of CouchDB 3.x telemetry, as CouchDB prints them (wire names kept, so every field
 * can be looked up in REFERENCE A3 / the CouchDB docs). Unknown fields are dropped, never refused:
 * newer CouchDB versions add fields. Checked against the 3.5.0 captures in
 * `shared/couchdb/samples/` (see parse.test.ts) and the embedded node's `src/node/replicator/http.ts`.
 */
import { z } from 'zod';
import type { Seq } from '../couchdb/seq.ts';

/** replicator.rst "States descriptions" (REFERENCE A2). */
export const SCHEDULER_STATES = [
  'initializing',
  'running',
  'pending',
  'crashing',
  'error',
  'failed',
  'completed',
] as const;
export type SchedulerState = (typeof SCHEDULER_STATES)[number];
/** A scheduler state, or `unknown` when only a `_replicator` doc without `_replication_state` was seen. */
export type DocState = SchedulerState | 'unknown';

/** An update seq as servers print it: the core's `Seq` (opaque string, or integer). */
const seq = z.union([z.string(), z.number()]) satisfies z.ZodType<Seq>;
const count = z.number().int().min(0);
const nullableString = z.string().nullable().optional().default(null);

/** An endpoint is a URL string in `_scheduler/*`; older servers may echo `{url}` objects. */
const endpoint = z
  .union([z.string(), z.object({ url: z.string() }).transform((o) => o.url)])
  .nullable()
  .optional()
  .default(null);

/** Crash reasons are strings since 3.0.0 (`info.error`); anything else is rendered as JSON. */
const reason = z
  .union([z.string(), z.null(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .transform((v) => (v === null || typeof v === 'string' ? v : JSON.stringify(v)));

/**
 * Per-job stats (`info` of `_scheduler/*`, `_active_tasks` fields, `_replication_stats`), from
 * `couch_replicator_scheduler_job:rep_stats` (REFERENCE A3). `changes_pending` may be null;
 * `checkpointed_source_seq` is `"0"` before the first checkpoint; completed docs lack
 * `source_seq` / `through_seq`.
 */
export const RepStatsSchema = z.object({
  revisions_checked: count,
  missing_revisions_found: count,
  docs_read: count,
  docs_written: count,
  changes_pending: count.nullable().optional().default(null),
  doc_write_failures: count,
  bulk_get_docs: count.optional(),
  bulk_get_attempts: count.optional(),
  checkpointed_source_seq: seq.optional(),
  source_seq: seq.optional(),
  through_seq: seq.optional(),
});
export type RepStats = z.output<typeof RepStatsSchema>;

/** In error states `info` is `{"error": "<reason>"}` (an object since 3.0.0; REFERENCE A3). */
export const ErrorInfoSchema = z.object({ error: reason });
export type ErrorInfo = z.output<typeof ErrorInfoSchema>;

/** `info` is stats, an error, or null (`job_summary/2`: pending jobs carry the last stats or null). */
const info = z.union([RepStatsSchema, ErrorInfoSchema]).nullable().optional().default(null);

/** One entry of `GET /_scheduler/docs` or `GET /_scheduler/docs/{db}/{docid}` (REFERENCE A3). */
export const SchedulerDocSchema = z.object({
  database: z.string(),
  doc_id: z.string(),
  /** the replication id; null for `completed` / `failed` docs */
  id: nullableString,
  node: z.string().optional(),
  source: endpoint,
  target: endpoint,
  state: z.enum(SCHEDULER_STATES),
  info,
  /** consecutive crashes (`consecutive_crashes/2`), 0 after a healthy run */
  error_count: count.default(0),
  start_time: z.string().optional(),
  last_updated: z.string().optional(),
  source_proxy: nullableString,
  target_proxy: nullableString,
});
/** As parsed; `DocState` widens `state` for docs synthesized from `_replicator` (reduced confidence). */
export type SchedulerDoc = Omit<z.output<typeof SchedulerDocSchema>, 'state'> & { state: DocState };

export const SchedulerDocsPageSchema = z.object({
  total_rows: count,
  offset: count.nullable().optional(),
  docs: z.array(SchedulerDocSchema),
});
export type SchedulerDocsPage = z.output<typeof SchedulerDocsPageSchema>;

/** `history[]` of a job, newest first; `crashed` carries `reason` (`job_ejson/1`). */
export const JobEventSchema = z.object({
  timestamp: z.string(),
  type: z.enum(['added', 'started', 'stopped', 'crashed']),
  reason: reason.optional(),
});
export type JobEvent = z.output<typeof JobEventSchema>;

/** One entry of `GET /_scheduler/jobs` or `GET /_scheduler/jobs/{repid}` (REFERENCE A3). */
export const SchedulerJobSchema = z.object({
  id: z.string(),
  pid: nullableString,
  source: endpoint,
  target: endpoint,
  /** null for `_replicate` (transient) jobs */
  database: nullableString,
  doc_id: nullableString,
  user: nullableString,
  info: RepStatsSchema.nullable().optional().default(null),
  history: z.array(JobEventSchema).default([]),
  node: z.string().optional(),
  start_time: z.string().optional(),
});
export type SchedulerJob = z.output<typeof SchedulerJobSchema>;

export const SchedulerJobsPageSchema = z.object({
  total_rows: count,
  offset: count.nullable().optional(),
  jobs: z.array(SchedulerJobSchema),
});
export type SchedulerJobsPage = z.output<typeof SchedulerJobsPageSchema>;

/**
 * A `type: "replication"` entry of `GET /_active_tasks` (`couch_replicator_scheduler_job:init` /
 * `update_task`). `database` is the shard name on clusters (`shards/…/_replicator.<suffix>`);
 * `started_on` / `updated_on` are unix seconds. Jobs not running are absent (REFERENCE A3).
 */
export const ActiveTaskSchema = RepStatsSchema.extend({
  type: z.literal('replication'),
  node: z.string().optional(),
  pid: z.string().optional(),
  replication_id: z.string(),
  database: nullableString,
  doc_id: nullableString,
  user: nullableString,
  source: endpoint,
  target: endpoint,
  continuous: z.boolean().optional(),
  checkpoint_interval: count.optional(),
  started_on: z.number(),
  updated_on: z.number(),
});
export type ActiveTask = z.output<typeof ActiveTaskSchema>;

/** `GET /{db}`: only what telemetry needs. `instance_start_time` is `"0"` on clustered dbs (A3). */
export const DbInfoSchema = z.object({
  db_name: z.string(),
  update_seq: seq,
  instance_start_time: z.union([z.string(), z.number()]).transform(String).optional().default('0'),
  doc_count: count.optional(),
  doc_del_count: count.optional(),
  purge_seq: seq.optional(),
});
export type DbInfo = z.output<typeof DbInfoSchema>;

/** One `history` entry of a checkpoint doc (`do_checkpoint`, REFERENCE A4); PouchDB keeps only seq + session. */
export const CheckpointHistorySchema = z.object({
  session_id: z.string(),
  recorded_seq: seq.optional(),
  start_time: z.string().optional(),
  end_time: z.string().optional(),
  start_last_seq: seq.optional(),
  end_last_seq: seq.optional(),
  missing_checked: count.optional(),
  missing_found: count.optional(),
  docs_read: count.optional(),
  docs_written: count.optional(),
  doc_write_failures: count.optional(),
});
export type CheckpointHistory = z.output<typeof CheckpointHistorySchema>;

/** `_local/<rep id base>` on source and target (REFERENCE A4). */
export const CheckpointDocSchema = z.object({
  _id: z.string().optional(),
  _rev: z.string().optional(),
  session_id: z.string(),
  source_last_seq: seq,
  replication_id_version: z.number().optional(),
  history: z.array(CheckpointHistorySchema).default([]),
});
export type CheckpointDoc = z.output<typeof CheckpointDocSchema>;

/** The two checkpoint docs of one direction, as read on demand (null = 404). */
export interface CheckpointPair {
  link: string;
  db: string;
  from: string;
  to: string;
  source: CheckpointDoc | null;
  target: CheckpointDoc | null;
}

/** Node-wide gauges of `/_node/_local/_stats/couch_replicator` (REFERENCE A6). */
export interface ReplicatorStats {
  /** every numeric leaf by dotted path, e.g. `jobs.crashes`, `checkpoints.failure` */
  values: Record<string, number>;
  jobs: { running: number; pending: number; crashed: number; total: number };
}

/** What a `_replicator` document says about itself (reduced-confidence mode; REFERENCE A1). */
export const ReplicatorDocSchema = z.object({
  _id: z.string(),
  _rev: z.string().optional(),
  source: endpoint,
  target: endpoint,
  continuous: z.boolean().optional(),
  _replication_id: z.string().optional(),
  _replication_state: z.string().optional(),
  _replication_state_time: z.union([z.string(), z.number()]).transform(String).optional(),
  _replication_state_reason: reason.optional(),
  _replication_stats: RepStatsSchema.partial().optional(),
});
export type ReplicatorDoc = z.output<typeof ReplicatorDocSchema>;
