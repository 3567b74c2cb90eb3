/**
 * Typed, validated readers for CouchDB telemetry JSON. Each takes the parsed response body (the
 * HTTP side stays in the poller) and either returns the typed value or throws a CouchmeshError with
 * code `E_TELEMETRY_SHAPE` naming the endpoint and the first offending field.
 */
import { z } from 'zod';
import { CouchmeshError } from '../core/errors.ts';
import {
  type ActiveTask,
  ActiveTaskSchema,
  type CheckpointDoc,
  CheckpointDocSchema,
  type DbInfo,
  DbInfoSchema,
  type ReplicatorDoc,
  ReplicatorDocSchema,
  type ReplicatorStats,
  type SchedulerDoc,
  SchedulerDocSchema,
  type SchedulerDocsPage,
  SchedulerDocsPageSchema,
  type SchedulerJob,
  SchedulerJobSchema,
  type SchedulerJobsPage,
  SchedulerJobsPageSchema,
} from './types.ts';

export function parseWith<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new CouchmeshError('E_TELEMETRY_SHAPE', `unexpected ${what} response${at}: ${issue?.message}`, {
    hint: 'is this a CouchDB 3.x (or couchmesh) node? the response does not have the documented shape',
    data: {
      endpoint: what,
      issues: r.error.issues.slice(0, 5).map((i) => ({ path: i.path, message: i.message })),
    },
  });
}

/** `GET /_scheduler/docs?limit=&skip=` (one page; see `readAllSchedulerDocs`). */
export const parseSchedulerDocsPage = (json: unknown): SchedulerDocsPage =>
  parseWith(SchedulerDocsPageSchema, json, '_scheduler/docs');

/** `GET /_scheduler/docs/{db}/{docid}`. */
export const parseSchedulerDoc = (json: unknown): SchedulerDoc =>
  parseWith(SchedulerDocSchema, json, '_scheduler/docs/{db}/{docid}');

/** `GET /_scheduler/jobs?limit=&skip=`. */
export const parseSchedulerJobsPage = (json: unknown): SchedulerJobsPage =>
  parseWith(SchedulerJobsPageSchema, json, '_scheduler/jobs');

/** `GET /_scheduler/jobs/{repid}`. */
export const parseSchedulerJob = (json: unknown): SchedulerJob =>
  parseWith(SchedulerJobSchema, json, '_scheduler/jobs/{id}');

// built once: a zod schema built per call costs more than the parse itself (the poller parses
// `_active_tasks` of every node on every poll)
const JsonObject = z.record(z.string(), z.unknown());
const JsonObjects = z.array(JsonObject);

/** `GET /_active_tasks`: the replication entries; other task types (indexer, compaction…) are skipped. */
export function parseActiveTasks(json: unknown): ActiveTask[] {
  const list = parseWith(JsonObjects, json, '_active_tasks');
  return list
    .filter((t) => t.type === 'replication')
    .map((t) => parseWith(ActiveTaskSchema, t, '_active_tasks replication entry'));
}

/** `GET /{db}`. */
export const parseDbInfo = (json: unknown): DbInfo => parseWith(DbInfoSchema, json, 'database info');

/** `GET /{db}/_local/{rep id}`; PouchDB's `{last_seq, history:[{last_seq}]}` form is accepted too (A4). */
export function parseCheckpointDoc(json: unknown): CheckpointDoc {
  return parseWith(CheckpointDocSchema, fromPouchCheckpoint(json), 'checkpoint _local doc');
}

function fromPouchCheckpoint(json: unknown): unknown {
  if (!isObject(json) || 'source_last_seq' in json || !('last_seq' in json)) return json;
  const history = Array.isArray(json.history) ? json.history : [];
  return {
    ...json,
    source_last_seq: json.last_seq,
    history: history.map((h) => (isObject(h) ? { ...h, recorded_seq: h.recorded_seq ?? h.last_seq } : h)),
  };
}

/** A `_replicator` document (reduced-confidence mode: servers without the scheduler API). */
export const parseReplicatorDoc = (json: unknown): ReplicatorDoc =>
  parseWith(ReplicatorDocSchema, json, '_replicator doc');

const StatLeaf = z.object({ value: z.unknown(), type: z.string() });

/**
 * `GET /_node/_local/_stats/couch_replicator`: nested `{value, type, desc}` leaves flattened to
 * dotted paths (REFERENCE A6). Histograms (object values) are skipped.
 */
export function parseReplicatorStats(json: unknown): ReplicatorStats {
  const root = parseWith(JsonObject, json, '_stats/couch_replicator');
  const values: Record<string, number> = {};
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (!isObject(v)) continue;
      const leaf = StatLeaf.safeParse(v);
      if (leaf.success && typeof leaf.data.value === 'number') values[`${prefix}${k}`] = leaf.data.value;
      else if (!leaf.success) walk(v, `${prefix}${k}.`);
    }
  };
  walk(root, '');
  const g = (k: string) => values[`jobs.${k}`] ?? 0;
  return {
    values,
    jobs: { running: g('running'), pending: g('pending'), crashed: g('crashed'), total: g('total') },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
