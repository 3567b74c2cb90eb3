import type { Database } from '../engine/database.ts';
import { toDocState } from '../engine/database.ts';
import type { NodeState } from '../node-state.ts';
import { isJsFilter } from './filter-code.ts';
import { parseRepDoc, type RepDefaults, RepDocError, type RepSpec } from './rep-doc.ts';
import { replicationId } from './rep-id.ts';
import type { Job, Scheduler } from './scheduler.ts';
import { type ReplicatorCounters, statsJsonOf } from './stats.ts';
import type { TaskSet } from './tasks.ts';

/** What `_scheduler/docs` shows for a document that has no live job (terminal or refused). */
export interface DocRecord {
  docId: string;
  repId: string | null;
  spec: RepSpec | undefined;
  source: string | null;
  target: string | null;
  state: 'failed' | 'completed' | 'error';
  info: Record<string, unknown>;
  errorCount: number;
  startTime: number;
  lastUpdated: number;
}

/** Reads a design-doc filter's code from a replication's source, and paces retries when it fails. */
export interface FilterSource {
  fetch(spec: RepSpec, signal: AbortSignal): Promise<string>;
  /** resolves when the next attempt (0-based) may run; rejects once `signal` aborts */
  wait(attempt: number, signal: AbortSignal): Promise<void>;
}

/**
 * The doc processor (couch_replicator_doc_processor): follows `_replicator`'s changes and keeps
 * the scheduler equal to its documents — a new or changed doc (re)starts its job, a deleted one
 * stops it; docs already `completed` or `failed` are left alone; a second doc for a replication
 * that is already running fails as a duplicate. Rescans from 0 at start, so state survives restarts.
 */
export class DocProcessor {
  readonly records = new Map<string, DocRecord>();
  /** docId -> repId of its live job */
  readonly jobsByDoc = new Map<string, string>();
  private seq = 0;
  private unsubscribe: (() => void) | undefined;
  /** docId -> how many times it was processed: a filter fetch answering for an older version is dropped */
  private readonly versions = new Map<string, number>();
  private fetches = new AbortController();

  constructor(
    private readonly node: NodeState,
    private readonly scheduler: Scheduler,
    private readonly counters: ReplicatorCounters,
    private readonly defaults: () => RepDefaults,
    private readonly now: () => number,
    private readonly filters: FilterSource,
    /** owns the filter fetches (each a retry loop until it succeeds, is superseded or detached) */
    private readonly tasks: TaskSet,
    readonly dbName = '_replicator',
  ) {}

  attach(db: Database): void {
    this.unsubscribe?.();
    this.fetches = new AbortController();
    this.seq = 0;
    this.counters.inc('docs.dbs_found');
    this.counters.inc('db_scans');
    this.unsubscribe = db.onChange(() => {
      if (!db.closed) this.scan(db);
    });
    this.scan(db);
  }

  detach(): void {
    this.fetches.abort();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const docId of [...this.jobsByDoc.keys()]) this.stopDoc(docId);
    this.records.clear();
  }

  private scan(db: Database): void {
    for (;;) {
      const rows = db.store.bySeq(this.seq, 500);
      for (const r of rows) {
        this.seq = r.seq;
        this.counters.inc('docs.db_changes');
        if (r.id.startsWith('_design/')) continue;
        const state = toDocState(r);
        if (state.deleted) {
          this.nextVersion(r.id);
          this.stopDoc(r.id);
          this.records.delete(r.id);
          continue;
        }
        const rev = db.getRev(r.id, state.winner);
        if (rev) this.process(r.id, JSON.parse(rev.body) as Record<string, unknown>);
      }
      if (rows.length < 500) return;
    }
  }

  private stopDoc(docId: string): void {
    const repId = this.jobsByDoc.get(docId);
    if (repId === undefined) return;
    this.jobsByDoc.delete(docId);
    this.scheduler.remove(repId);
  }

  private nextVersion(docId: string): number {
    const v = (this.versions.get(docId) ?? 0) + 1;
    this.versions.set(docId, v);
    return v;
  }

  private process(docId: string, body: Record<string, unknown>): void {
    const version = this.nextVersion(docId);
    const terminal = body._replication_state;
    if (terminal === 'completed' || terminal === 'failed') {
      this.stopDoc(docId);
      this.records.set(docId, this.terminalRecord(docId, body));
      return;
    }
    let spec: RepSpec;
    try {
      spec = parseRepDoc(body, this.defaults());
    } catch (e) {
      this.stopDoc(docId);
      const reason = e instanceof RepDocError ? e.message : String(e);
      this.fail(docId, null, undefined, reason);
      return;
    }
    if (isJsFilter(spec)) this.tasks.track(this.withFilterCode(docId, spec, body, version, 0));
    else this.place(docId, spec, body);
  }

  /**
   * A design-doc filter's code is part of the replication id: fetched from the source first
   * (couch_replicator_doc_processor_worker). While it cannot be read the doc is in state `error`
   * with the reason, retried with backoff; a newer version of the doc supersedes the attempt.
   */
  private async withFilterCode(
    docId: string,
    spec: RepSpec,
    body: Record<string, unknown>,
    version: number,
    attempt: number,
  ): Promise<void> {
    const signal = this.fetches.signal;
    const current = () => !signal.aborted && this.versions.get(docId) === version;
    try {
      const code = await this.filters.fetch(spec, signal);
      if (current()) this.place(docId, { ...spec, filterCode: code }, body);
      return;
    } catch (e) {
      if (!current()) return;
      this.stopDoc(docId);
      const now = this.now();
      const prev = this.records.get(docId);
      this.records.set(docId, {
        docId,
        repId: null,
        spec,
        source: spec.source.url,
        target: spec.target.url,
        state: 'error',
        info: { error: `filter_fetch_error: ${(e as Error).message}` },
        errorCount: attempt + 1,
        startTime: prev?.state === 'error' ? prev.startTime : now,
        lastUpdated: now,
      });
    }
    try {
      await this.filters.wait(attempt, signal);
    } catch {
      return; // detached
    }
    if (current()) await this.withFilterCode(docId, spec, body, version, attempt + 1);
  }

  /** Starts (or keeps, or refuses as a duplicate) the job of a parsed doc. */
  private place(docId: string, spec: RepSpec, body: Record<string, unknown>): void {
    const { id } = replicationId(this.node.uuid, spec);
    const current = this.jobsByDoc.get(docId);
    const running = current === id ? this.scheduler.get(id) : undefined;
    if (running && sameConnection(running.spec, spec)) {
      // same replication, same endpoints: tunables (checkpoint_interval, worker_*) change in place
      running.spec = spec;
      return;
    }
    // a changed password, header or proxy keeps the rep id but must reach the job: restart it
    // (couch_replicator_doc_processor replaces the job whenever the parsed doc differs)
    this.stopDoc(docId);
    this.records.delete(docId);
    const owner = this.scheduler.get(id);
    if (owner) {
      // refused before it is added (couch_replicator_doc_processor): jobs.duplicate_adds stays as is
      this.fail(
        docId,
        spec,
        null,
        `Replication \`${id}\` specified by document \`${docId}\` already started, triggered by document \`${owner.docId}\` from db \`${this.dbName}\``,
      );
      return;
    }
    // the job's `user` is the doc's `user_ctx.name` (couch_replicator_parse:rep_user_ctx), not its owner
    const userCtx = body.user_ctx as { name?: unknown } | undefined;
    const user = typeof userCtx?.name === 'string' ? userCtx.name : null;
    const job = this.scheduler.newJob(id, spec, { docId, db: this.dbName, user });
    this.jobsByDoc.set(docId, id);
    this.scheduler.add(job);
  }

  private terminalRecord(docId: string, body: Record<string, unknown>): DocRecord {
    let spec: RepSpec | undefined;
    try {
      spec = parseRepDoc(body, this.defaults());
    } catch {
      spec = undefined;
    }
    const t = Date.parse(String(body._replication_state_time ?? '')) || this.now();
    const completed = body._replication_state === 'completed';
    const stats = (body._replication_stats ?? {}) as Record<string, unknown>;
    const { start_time: started, ...info } = stats;
    return {
      docId,
      repId: null,
      spec,
      source: spec?.source.url ?? null,
      target: spec?.target.url ?? null,
      state: completed ? 'completed' : 'failed',
      info: completed ? info : { error: body._replication_state_reason ?? 'failed' },
      errorCount: completed ? 0 : 1,
      startTime: typeof started === 'string' ? Date.parse(started) || t : t,
      lastUpdated: t,
    };
  }

  /** A doc that cannot run: recorded as `failed` and the reason written back to the doc. */
  private fail(
    docId: string,
    spec: RepSpec | null | undefined,
    _repId: string | null | undefined,
    reason: string,
  ): void {
    const now = this.now();
    this.records.set(docId, {
      docId,
      repId: null,
      spec: spec ?? undefined,
      source: spec?.source.url ?? null,
      target: spec?.target.url ?? null,
      state: 'failed',
      info: { error: reason },
      errorCount: 1,
      startTime: now,
      lastUpdated: now,
    });
    this.writeBack(docId, { _replication_state: 'failed', _replication_state_reason: reason });
    this.counters.inc('docs.failed_state_updates');
  }

  /** A one-shot job finished: `completed` + stats written back, as CouchDB does. */
  completed(job: Job): void {
    if (!job.docId) return;
    this.jobsByDoc.delete(job.docId);
    // CouchDB writes the job's stats without source_seq / through_seq, plus the job's start time
    const { source_seq: _s, through_seq: _t, ...rest } = statsJsonOf(job.stats);
    const stats = { ...rest, start_time: new Date(job.addedAt).toISOString().replace(/\.\d+Z$/, 'Z') };
    this.writeBack(job.docId, { _replication_state: 'completed', _replication_stats: stats });
    this.counters.inc('docs.completed_state_updates');
  }

  private writeBack(docId: string, fields: Record<string, unknown>): void {
    const db = this.node.get(this.dbName);
    const state = db?.getState(docId);
    if (!db || !state || state.deleted) return;
    const rev = db.getRev(docId, state.winner);
    if (!rev) return;
    const body = JSON.parse(rev.body) as Record<string, unknown>;
    for (const k of [
      '_replication_state',
      '_replication_state_time',
      '_replication_state_reason',
      '_replication_stats',
    ])
      delete body[k];
    Object.assign(body, fields, {
      _replication_state_time: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    // these `_` fields are CouchDB-written state: keep them in the stored body
    this.node.internalWrite(db, docId, state.winner, body);
  }
}

/** Whether two specs talk to the same endpoints the same way (credentials and headers included). */
function sameConnection(a: RepSpec, b: RepSpec): boolean {
  const conn = (s: RepSpec) =>
    JSON.stringify([
      s.source,
      s.target,
      s.selector,
      s.docIds,
      s.filter,
      s.filterCode,
      s.queryParams,
      s.continuous,
      s.createTarget,
      s.createTargetParams,
      s.sinceSeq,
      s.winningRevsOnly,
      s.useCheckpoints,
    ]);
  return conn(a) === conn(b);
}
