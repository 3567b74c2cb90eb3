import { oneLine } from '../log.ts';
import { changesAnswer, checkpointReadAnswer, checkpointWriteAnswer } from './answers.ts';
import {
  type CheckpointDoc,
  checkpointBody,
  type HistoryEntry,
  resumeSeq,
  type Seq,
  type SessionTotals,
} from './checkpoint.ts';
import type { JobContext } from './context.ts';
import { type ChangeRow, type Peer, RepCrash } from './peer.ts';
import type { Job } from './scheduler.ts';
import { copyBatch } from './transfer.ts';

interface DbInfo {
  update_seq?: Seq;
  instance_start_time?: string;
}

/** couch_replicator_api_wrap:db_open — 200 with update_seq + instance_start_time, else a crash reason. */
async function openDb(peer: Peer, create: boolean, params?: Record<string, unknown>): Promise<DbInfo> {
  let r = await peer.json<DbInfo>('GET', '');
  if (r.status === 404 && create) {
    const query = Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, String(v)]));
    const c = await peer.json('PUT', '', { query });
    if (c.status !== 201 && c.status !== 202 && c.status !== 412) r = c as typeof r;
    else r = await peer.json<DbInfo>('GET', '');
  }
  if (r.status === 401)
    throw new RepCrash(`unauthorized: unauthorized to access or create database ${peer.url}`);
  if (r.status === 403)
    throw new RepCrash(`forbidden: unauthorized to access or create database ${peer.url}`);
  if (r.status !== 200 || r.body?.update_seq === undefined || r.body?.instance_start_time === undefined)
    throw new RepCrash(`db_not_found: could not open ${peer.url}`);
  return r.body;
}

/** `_ensure_full_commit` on `peer`; crashes unless its `instance_start_time` is still `started`. */
async function sameIncarnation(peer: Peer, side: 'source' | 'target', started: string | undefined) {
  const fc = await peer.json<{ instance_start_time?: string }>('POST', '_ensure_full_commit', {
    headers: { 'content-type': 'application/json' },
  });
  if (fc.status === 404) throw new RepCrash(`db_not_found: could not open ${peer.url}`);
  if (fc.status !== 201 && fc.status !== 200)
    throw new RepCrash(`checkpoint_commit_failure: ${side} ensure_full_commit answered ${fc.status}`);
  const now = fc.body?.instance_start_time;
  // "0" is a clustered db's: CouchDB cannot tell its incarnations apart, nor can we
  if (started !== undefined && now !== undefined && started !== '0' && now !== started)
    throw new RepCrash(
      `checkpoint_commit_failure: instance_start_time on ${side} database has changed since last checkpoint.`,
    );
}

async function readCheckpoint(peer: Peer, id: string): Promise<CheckpointDoc | undefined> {
  const r = await peer.json('GET', `_local/${id}`);
  return r.status === 200 ? checkpointReadAnswer<CheckpointDoc>(peer, `_local/${id}`, r.body) : undefined;
}

const seqNum = (s: Seq): number => (typeof s === 'number' ? s : Number.parseInt(String(s), 10) || 0);

/**
 * One run of a replication job (couch_replicator_scheduler_job): open both databases, find the
 * checkpoint to resume from, then changes -> _revs_diff -> _bulk_get -> _bulk_docs in batches,
 * checkpointing to `_local/<rep id>` on both sides every `checkpoint_interval`. Resolves when a
 * one-shot job has caught up; a continuous job runs until `signal` aborts. Throws RepCrash.
 */
export async function runReplication(
  ctx: JobContext,
  job: Job,
  signal: AbortSignal,
  running: () => void,
): Promise<void> {
  const { spec } = job;
  const clock = ctx.clock;
  // loaded on the first job: the HTTP client (undici) costs ~12 MB of RSS a node without jobs need not pay
  const { openPeer } = await import('./peer-client.ts');
  const source = openPeer(ctx, spec.source, spec, signal);
  const target = openPeer(ctx, spec.target, spec, signal);
  let started = false;
  try {
    const srcInfo = await openDb(source, false);
    const tgtInfo = await openDb(target, spec.createTarget, spec.createTargetParams);
    const base = job.id.split('+')[0] as string;
    let startSeq: Seq = spec.sinceSeq ?? 0;
    let history: HistoryEntry[] = [];
    let srcRev: string | undefined;
    let tgtRev: string | undefined;
    if (spec.useCheckpoints) {
      const [s, t] = await Promise.all([readCheckpoint(source, base), readCheckpoint(target, base)]);
      srcRev = s?._rev;
      tgtRev = t?._rev;
      const resume = resumeSeq(s, t);
      if (resume) {
        startSeq = resume.seq;
        history = resume.history;
      }
    }
    const prev = history[0];
    const totals: SessionTotals = {
      missing_checked: prev?.missing_checked ?? 0,
      missing_found: prev?.missing_found ?? 0,
      docs_read: prev?.docs_read ?? 0,
      docs_written: prev?.docs_written ?? 0,
      doc_write_failures: prev?.doc_write_failures ?? 0,
      bulk_get_docs: prev?.bulk_get_docs ?? 0,
      bulk_get_attempts: prev?.bulk_get_attempts ?? 0,
    };
    const stats = job.stats;
    Object.assign(stats, {
      revisions_checked: totals.missing_checked,
      missing_revisions_found: totals.missing_found,
      docs_read: totals.docs_read,
      docs_written: totals.docs_written,
      doc_write_failures: totals.doc_write_failures,
      bulk_get_docs: totals.bulk_get_docs,
      bulk_get_attempts: totals.bulk_get_attempts,
      checkpointed_source_seq: startSeq,
      through_seq: startSeq,
      source_seq: srcInfo.update_seq ?? 0,
      changes_pending: null,
    });
    const sessionId = ctx.random.uuid();
    const sessionStart = clock.now();
    let lastCheckpoint = clock.now();
    let checkpointed: Seq = startSeq;
    let cursor: Seq = startSeq;

    const checkpoint = async () => {
      if (!spec.useCheckpoints || String(stats.through_seq) === String(checkpointed)) return;
      const seq = stats.through_seq;
      // couch_replicator_scheduler_job:do_checkpoint: both databases must still be the incarnations
      // the job started on, else the checkpoint would claim progress a recreated db does not have
      await sameIncarnation(source, 'source', srcInfo.instance_start_time);
      await sameIncarnation(target, 'target', tgtInfo.instance_start_time);
      const body = checkpointBody({
        id: base,
        sessionId,
        startTime: sessionStart,
        now: clock.now(),
        startSeq,
        seq,
        totals: {
          missing_checked: stats.revisions_checked,
          missing_found: stats.missing_revisions_found,
          docs_read: stats.docs_read,
          docs_written: stats.docs_written,
          doc_write_failures: stats.doc_write_failures,
          bulk_get_docs: stats.bulk_get_docs,
          bulk_get_attempts: stats.bulk_get_attempts,
        },
        previous: history,
      });
      history = body.history;
      const put = async (peer: Peer, rev: string | undefined) => {
        const doc = rev ? { ...body, _rev: rev } : body;
        const r = await peer.json('PUT', `_local/${base}`, {
          body: doc,
          headers: { 'x-couch-full-commit': 'false' },
        });
        if (r.status !== 201 && r.status !== 200) {
          ctx.counters.inc('checkpoints.failure');
          throw new RepCrash(
            `checkpoint_commit_failure: could not write the checkpoint on ${peer.url} (${r.status})`,
          );
        }
        return checkpointWriteAnswer(peer, `_local/${base}`, r.body);
      };
      srcRev = await put(source, srcRev);
      tgtRev = await put(target, tgtRev);
      ctx.counters.inc('checkpoints.success');
      ctx.logger.log(
        'info',
        `couch_replicator: recording a checkpoint for \`${job.id}\` (doc \`${oneLine(job.docId ?? 'none')}\`) -> target sequence ${JSON.stringify(seq)}`,
      );
      checkpointed = seq;
      stats.checkpointed_source_seq = seq;
      lastCheckpoint = clock.now();
      job.result = body as unknown as Record<string, unknown>;
    };

    running();
    started = true;
    ctx.counters.inc('workers_started', Math.max(1, spec.workerProcesses));
    const batchSize = () => Math.max(1, job.spec.workerBatchSize);
    for (;;) {
      if (signal.aborted) return;
      const untilCheckpoint = Math.max(0, job.spec.checkpointInterval - (clock.now() - lastCheckpoint));
      const feedTimeout = Math.max(1000, Math.floor(job.spec.connectionTimeout / 3));
      const longpoll = spec.continuous;
      const page = await readChanges(
        source,
        spec,
        cursor,
        batchSize() * Math.max(1, job.spec.workerProcesses),
        longpoll ? Math.min(feedTimeout, untilCheckpoint || feedTimeout) : undefined,
      );
      stats.changes_pending = page.pending ?? null;
      if (page.last_seq !== undefined && page.pending === 0) stats.source_seq = page.last_seq;
      else if (page.results.length)
        stats.source_seq = page.results[page.results.length - 1]?.seq ?? stats.source_seq;
      // the page's batches are copied concurrently (CouchDB's worker_processes); through_seq only
      // moves once every batch of the page is written, so a checkpoint never skips unwritten changes
      const batches: ChangeRow[][] = [];
      for (let i = 0; i < page.results.length; i += batchSize())
        batches.push(page.results.slice(i, i + batchSize()));
      await Promise.all(batches.map((rows) => copyBatch(job, source, target, rows)));
      if (batches.length) {
        stats.through_seq = (page.results[page.results.length - 1] as ChangeRow).seq;
        job.lastUpdated = clock.now();
        if (clock.now() - lastCheckpoint >= job.spec.checkpointInterval) await checkpoint();
      }
      if (page.last_seq !== undefined) {
        cursor = page.last_seq;
        if (!page.results.length && seqNum(page.last_seq) >= seqNum(stats.through_seq))
          stats.through_seq = page.last_seq;
      }
      if (!spec.continuous && page.results.length === 0) {
        await checkpoint();
        return;
      }
      if (clock.now() - lastCheckpoint >= job.spec.checkpointInterval) await checkpoint();
    }
  } catch (e) {
    if (signal.aborted) return;
    if (!started) ctx.counters.inc('failed_starts');
    if (e instanceof RepCrash) throw e;
    throw new RepCrash(`${(e as Error).message ?? e}`);
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

interface ChangesPage {
  results: ChangeRow[];
  last_seq?: Seq;
  pending?: number;
}

/** One page of `_changes` (style=all_docs), longpoll when waiting for new writes. */
async function readChanges(
  source: Peer,
  spec: Job['spec'],
  since: Seq,
  limit: number,
  longpollTimeout?: number,
): Promise<ChangesPage> {
  const query: Record<string, string | number | undefined> = {
    style: spec.winningRevsOnly ? 'main_only' : 'all_docs',
    since: String(since),
    limit,
  };
  if (longpollTimeout !== undefined) {
    query.feed = 'longpoll';
    query.timeout = longpollTimeout;
  }
  let r: Awaited<ReturnType<Peer['json']>>;
  if (spec.docIds)
    r = await source.json('POST', '_changes', {
      query: { ...query, filter: '_doc_ids' },
      body: { doc_ids: spec.docIds },
      idempotent: true,
    });
  else if (spec.selector)
    r = await source.json('POST', '_changes', {
      query: { ...query, filter: '_selector' },
      body: { selector: spec.selector },
      idempotent: true,
    });
  else if (spec.filter)
    // couch_replicator_api_wrap:changes_since: the filter and its query_params go on the query
    // string (values that are not strings as JSON); the replicator's own parameters win
    r = await source.json('GET', '_changes', {
      query: { ...filterQuery(spec.queryParams), ...query, filter: spec.filter },
      idempotent: true,
    });
  else r = await source.json('GET', '_changes', { query });
  if (r.status === 404 && spec.filter)
    throw new RepCrash(
      `filter_not_found: ${spec.filter} is missing on ${source.url} (${errorReason(r.body)})`,
    );
  if (r.status === 404) throw new RepCrash(`db_not_found: could not open ${source.url}`);
  if (r.status !== 200) throw new RepCrash(`changes_reader_died: ${source.url}_changes answered ${r.status}`);
  return changesAnswer(source, r.body);
}

function filterQuery(params: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function errorReason(body: unknown): string {
  const b = body as { reason?: unknown } | undefined;
  return typeof b?.reason === 'string' ? b.reason : 'not found';
}
