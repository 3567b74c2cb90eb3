import { CouchHttpError, notFound } from '../engine/errors.ts';
import type { Ctx } from '../http/context.ts';
import { sendJson } from '../http/respond.ts';
import { requireServerAdmin } from '../http/routes/guards.ts';
import type { ReplicatorApi } from './context.ts';
import { isJsFilter } from './filter-code.ts';
import type { DocRecord } from './processor.ts';
import { maskedProxy, parseRepDoc, RepDocError, type RepSpec } from './rep-doc.ts';
import { replicationId } from './rep-id.ts';
import type { Job } from './scheduler.ts';
import { renderStats, statsJsonOf } from './stats.ts';

/** ISO-8601 without milliseconds, as CouchDB prints scheduler timestamps. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const unixSeconds = (ms: number) => Math.floor(ms / 1000);

function jobJson(svc: ReplicatorApi, job: Job) {
  return {
    database: job.db,
    id: job.id,
    pid: job.state === 'running' ? job.pid : null,
    source: job.spec.source.url,
    target: job.spec.target.url,
    user: job.user,
    doc_id: job.docId,
    // CouchDB: a job that is not running has no stats to show (`info: null`); the reason is in history
    info: job.state === 'crashing' || job.state === 'pending' ? null : statsJsonOf(job.stats),
    history: job.history.map((h) => ({
      timestamp: isoSeconds(h.timestamp),
      type: h.type,
      ...(h.reason === undefined ? {} : { reason: h.reason }),
    })),
    node: `couchmesh@${svc.uuid}`,
    start_time: isoSeconds(job.addedAt),
  };
}

function docFromJob(svc: ReplicatorApi, job: Job) {
  return {
    database: job.db,
    doc_id: job.docId,
    id: job.id,
    node: `couchmesh@${svc.uuid}`,
    source: job.spec.source.url,
    target: job.spec.target.url,
    state: job.state,
    info: job.state === 'crashing' ? { error: job.lastError ?? null } : statsJsonOf(job.stats),
    error_count: job.errorCount,
    last_updated: isoSeconds(job.lastUpdated),
    start_time: isoSeconds(job.addedAt),
    source_proxy: maskedProxy(job.spec.source.proxy),
    target_proxy: maskedProxy(job.spec.target.proxy),
  };
}

function docFromRecord(svc: ReplicatorApi, r: DocRecord) {
  return {
    database: svc.processor.dbName,
    doc_id: r.docId,
    id: null,
    source: r.source,
    target: r.target,
    state: r.state,
    error_count: r.errorCount,
    info: r.info,
    start_time: isoSeconds(r.startTime),
    last_updated: isoSeconds(r.lastUpdated),
  };
}

function allDocs(svc: ReplicatorApi) {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of svc.processor.records.values()) out.set(r.docId, docFromRecord(svc, r));
  for (const j of svc.scheduler.list()) if (j.docId) out.set(j.docId, docFromJob(svc, j));
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/** `/_scheduler/jobs[/{id}]`, `/_scheduler/docs[/{db}[/{docid}]]` (CouchDB 3 shapes). */
export function schedulerRoute(svc: ReplicatorApi) {
  return (ctx: Ctx): void => {
    requireServerAdmin(ctx);
    const [, kind, ...rest] = ctx.path;
    const limit = ctx.int('limit', 100);
    const skip = ctx.int('skip', 0);
    if (kind === 'jobs') {
      const jobs = svc.scheduler.list().filter((j) => j.state !== 'completed');
      if (rest.length) {
        const job = svc.scheduler.get(rest.join('/'));
        if (!job) throw notFound('missing');
        sendJson(ctx.res, 200, jobJson(svc, job));
        return;
      }
      sendJson(ctx.res, 200, {
        total_rows: jobs.length,
        offset: skip,
        jobs: jobs.slice(skip, skip + limit).map((j) => jobJson(svc, j)),
      });
      return;
    }
    if (kind === 'docs') {
      const docs = allDocs(svc);
      if (rest.length >= 2) {
        const docId = rest.slice(1).join('/');
        const d = docs.find((x) => x.doc_id === docId && x.database === rest[0]);
        if (!d) throw notFound('missing');
        sendJson(ctx.res, 200, d);
        return;
      }
      if (rest.length === 1 && rest[0] !== svc.processor.dbName) throw notFound('missing');
      const states = ctx.q('states')?.split(',').filter(Boolean);
      const filtered = states ? docs.filter((d) => states.includes(String(d.state))) : docs;
      sendJson(ctx.res, 200, {
        total_rows: docs.length,
        offset: skip,
        docs: filtered.slice(skip, skip + limit),
      });
      return;
    }
    throw new CouchHttpError(400, 'bad_request', 'Unsupported scheduler endpoint, use jobs or docs');
  };
}

/** `_active_tasks` replication entries: running jobs only, as CouchDB. */
export function activeTasks(svc: ReplicatorApi): Record<string, unknown>[] {
  return svc.runningJobs().map((job) => {
    const fields: Record<string, unknown> = {
      ...statsJsonOf(job.stats),
      checkpoint_interval: job.spec.checkpointInterval,
      continuous: job.spec.continuous,
      database: job.db,
      doc_id: job.docId,
      replication_id: job.id,
      source: job.spec.source.url,
      started_on: unixSeconds(job.startedAt ?? job.addedAt),
      target: job.spec.target.url,
      type: 'replication',
      updated_on: unixSeconds(job.lastUpdated),
      user: job.user,
    };
    // couch_task_status: node, pid, process_status, then the task's fields sorted by name
    const sorted = Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]);
    return {
      node: `couchmesh@${svc.uuid}`,
      pid: job.pid,
      process_status: 'waiting',
      ...Object.fromEntries(sorted),
    };
  });
}

export function statsJson(svc: ReplicatorApi) {
  return renderStats(svc.counters, svc.gauges());
}

/** POST /_replicate: transient jobs (`database: null`); one-shot waits for the result, `cancel` stops one. */
export function replicateRoute(svc: ReplicatorApi) {
  return async (ctx: Ctx): Promise<void> => {
    requireServerAdmin(ctx);
    if (ctx.method !== 'POST') throw new CouchHttpError(405, 'method_not_allowed', 'Only POST allowed');
    const body = await ctx.jsonValue<Record<string, unknown>>({ requireJsonType: true });
    if (typeof body !== 'object' || body === null)
      throw new CouchHttpError(400, 'bad_request', 'expected a JSON object');
    if (body.cancel === true) {
      const id = (body.replication_id ?? body.id ?? body._local_id) as string | undefined;
      const job = id ? svc.scheduler.get(id) : undefined;
      if (!job) throw notFound('missing');
      svc.scheduler.remove(job.id);
      return sendJson(ctx.res, 200, { ok: true, _local_id: job.id });
    }
    let spec: RepSpec;
    try {
      spec = parseRepDoc(body, svc.repDefaults());
    } catch (e) {
      if (e instanceof RepDocError) throw new CouchHttpError(400, 'bad_request', e.message);
      throw e;
    }
    if (isJsFilter(spec)) spec = { ...spec, filterCode: await filterCodeOr404(svc, spec) };
    const { id } = replicationId(svc.uuid, spec);
    if (svc.scheduler.get(id)) return sendJson(ctx.res, 200, { ok: true, _local_id: id });
    const job = svc.scheduler.newJob(id, spec, { docId: null, db: null, user: ctx.user.name });
    const done = new Promise<Job>((resolve) => svc.transientWaiters.set(id, resolve));
    svc.scheduler.add(job);
    if (spec.continuous) return sendJson(ctx.res, 202, { ok: true, _local_id: id });
    const finished = await done;
    if (finished.state !== 'completed') throw replicateError(finished.lastError ?? 'replication failed');
    // the checkpoint document's content, without its `_id` / `_rev` (couch_replicator:replicate/2)
    const { _id, _rev, ...history } = finished.result ?? {};
    return sendJson(ctx.res, 200, { ok: true, ...history });
  };
}

/** `POST /_replicate` with a design-doc filter: its code, or a 404 naming what is missing. */
async function filterCodeOr404(svc: ReplicatorApi, spec: RepSpec): Promise<string> {
  try {
    return await svc.filterCode(spec, AbortSignal.timeout(spec.connectionTimeout));
  } catch (e) {
    throw new CouchHttpError(404, 'not_found', `filter_fetch_error: ${(e as Error).message}`);
  }
}

/** A one-shot `_replicate` that failed answers with its reason's status, as chttpd_misc does. */
function replicateError(reason: string): CouchHttpError {
  const kind = /^([a-z_]+):/.exec(reason)?.[1];
  const status: Record<string, number> = { db_not_found: 404, unauthorized: 401, forbidden: 403 };
  if (kind && status[kind])
    return new CouchHttpError(status[kind] as number, kind, reason.slice(kind.length + 1).trim());
  return new CouchHttpError(500, kind ?? 'error', reason);
}
