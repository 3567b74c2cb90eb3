import { resolve as resolvePath } from 'node:path';
import { type Clock, systemClock } from '../core/clock.ts';
import type { CouchClient } from '../couch/index.ts';
import type { Seq } from '../couchdb/seq.ts';
import { CouchAuditSink } from './audit/couch-sink.ts';
import { digest32 } from './audit/entry.ts';
import { NdjsonAuditSink } from './audit/ndjson-sink.ts';
import type { AuditSink } from './audit/sink.ts';
import { type BatchDeps, processBatch } from './batch.ts';
import type { ConflictsConfig } from './config.ts';
import { ConflictResolver } from './decide.ts';
import type { EventSink } from './events.ts';
import { CheckpointStore } from './io/checkpoint.ts';
import { LeafReader } from './io/fetch.ts';
import { canonical, type Json } from './json.ts';
import { KnownLeaves, Limiter, SeqTracker } from './pipeline.ts';
import { type ResolverStats, StatsRecorder } from './stats.ts';
import type { ModuleLoader } from './strategies/custom.ts';

export interface WorkerOptions {
  client: CouchClient;
  db: string;
  /** Parsed settings (`parseConflictsConfig`). */
  config: ConflictsConfig;
  /** Where resolutions are recorded; default from `config.audit` (a db on the same node, or a file). */
  audit?: AuditSink;
  /** Compute and report, write nothing (no audit either). */
  dryRun?: boolean;
  /** Who records audit entries (e.g. the node name); also names the checkpoint. */
  name?: string;
  clock?: Clock;
  /** Folder for relative custom module and audit file paths. Default: the current folder. */
  baseDir?: string;
  loader?: ModuleLoader;
  onEvent?: EventSink;
  /** Attempts per document before it is reported failed. Default 5. */
  maxAttempts?: number;
  /** `_changes` rows per read. Default batch_size * concurrency. */
  pageSize?: number;
  checkpointIntervalMs?: number;
  longpollTimeoutMs?: number;
  /** Force (true) or forbid (false) `_bulk_get`; default: use it when the server has it. */
  bulkGet?: boolean;
}

export interface RunReport {
  stats: ResolverStats;
  lastSeq: Seq;
}

/**
 * The conflict resolver of one database on one node. `runOnce()` scans the whole database (the
 * backlog) and returns when no conflict it can resolve is left; `follow()` keeps resolving from its
 * `_local` checkpoint until its signal aborts. Batches are pipelined: while some are being written,
 * the next `_changes` page and the next leaves are read.
 */
export class ResolverWorker {
  readonly stats: StatsRecorder;
  private readonly clock: Clock;
  private readonly known = new KnownLeaves();
  private readonly deps: BatchDeps;
  private readonly configHash: string;

  private constructor(
    private readonly o: WorkerOptions,
    resolver: ConflictResolver,
    audit: AuditSink | undefined,
  ) {
    this.clock = o.clock ?? systemClock;
    this.stats = new StatsRecorder(this.clock);
    const { batch_size, concurrency, ...rest } = o.config;
    this.configHash = digest32([canonical(rest as unknown as Json)]);
    this.deps = {
      client: o.client,
      db: o.db,
      reader: new LeafReader(o.client, o.db, { bulkGet: o.bulkGet }),
      resolver,
      audit,
      stats: this.stats,
      known: this.known,
      clock: this.clock,
      emit: (e) => o.onEvent?.(e),
      recordedBy: o.name,
      maxAttempts: o.maxAttempts ?? 5,
    };
  }

  /** Loads custom strategy modules (configuration mistakes surface here) and starts opening the audit. */
  static async create(o: WorkerOptions): Promise<ResolverWorker> {
    const baseDir = o.baseDir ?? process.cwd();
    const resolver = await ConflictResolver.create(o.config, { baseDir, loader: o.loader, clock: o.clock });
    let audit: AuditSink | undefined;
    if (!o.dryRun) {
      const a = o.config.audit;
      audit =
        o.audit ??
        ('db' in a ? new CouchAuditSink(o.client, a.db) : new NdjsonAuditSink(resolvePath(baseDir, a.file)));
      // Sent now, awaited by the first record, at the end of every one-shot run (it fails when its audit
      // cannot be opened, even with nothing to record) and as a follower starts: creating the database
      // (412 once it exists) travels beside the first `_changes` read instead of ahead of it.
      audit.open().catch(() => undefined);
    }
    return new ResolverWorker(o, resolver, audit);
  }

  get audit(): AuditSink | undefined {
    return this.deps.audit;
  }

  private get batchSize(): number {
    return this.o.config.batch_size;
  }

  /** One pass over the whole database (or over `docIds`), until nothing more can be resolved. */
  async runOnce(opts: { signal?: AbortSignal; docIds?: string[] } = {}): Promise<RunReport> {
    this.stats.restart();
    this.stats.phase = 'backlog';
    const deps = { ...this.deps, signal: opts.signal, readGate: new Limiter(1), decideGate: new Limiter(1) };
    if (opts.docIds) {
      const limiter = new Limiter(this.o.config.concurrency);
      const runs: Array<Promise<number>> = [];
      for (let i = 0; i < opts.docIds.length; i += this.batchSize) {
        await limiter.acquire();
        runs.push(
          processBatch(deps, opts.docIds.slice(i, i + this.batchSize)).finally(() => limiter.release()),
        );
      }
      await Promise.all(runs);
      await this.deps.audit?.open();
      this.stats.phase = 'done';
      return { stats: this.stats.snapshot(), lastSeq: 0 };
    }
    const lastSeq = await this.loop('once', 0, new SeqTracker<Seq>(), opts.signal);
    await this.deps.audit?.open();
    this.stats.phase = 'done';
    return { stats: this.stats.snapshot(), lastSeq };
  }

  /**
   * Follows `_changes` from the checkpoint until `signal` aborts. Without a checkpoint, or when the
   * settings changed since it was written (declined documents may resolve now), or with `rescan`,
   * it starts from 0: the backlog scan of conflicts that already exist.
   */
  async follow(opts: { signal?: AbortSignal; rescan?: boolean } = {}): Promise<RunReport> {
    this.stats.restart();
    const store = new CheckpointStore(this.o.client, this.o.db, this.checkpointId);
    // a follower runs until stopped: an audit it cannot open fails it now, not at its first conflict
    const [cp] = await Promise.all([store.read(opts.signal), this.deps.audit?.open()]);
    const resume = cp && cp.config === this.configHash && !opts.rescan;
    this.stats.phase = resume ? 'following' : 'backlog';
    const since: Seq = resume ? cp.seq : 0;
    const tracker = new SeqTracker<Seq>(since);
    let written: Seq | undefined = resume ? cp.seq : undefined;
    let at = this.clock.now();
    const checkpoint = async (force: boolean) => {
      const seq = tracker.safe;
      if (this.o.dryRun || seq === undefined || seq === written) return;
      if (!force && this.clock.now() - at < (this.o.checkpointIntervalMs ?? 5_000)) return;
      await store.write({
        seq,
        config: this.configHash,
        updated_at: new Date(this.clock.now()).toISOString(),
      });
      written = seq;
      at = this.clock.now();
      this.deps.emit({ type: 'checkpoint', seq });
    };
    const lastSeq = await this.loop('follow', since, tracker, opts.signal, checkpoint);
    await checkpoint(true).catch(() => undefined);
    this.stats.phase = 'done';
    return { stats: this.stats.snapshot(), lastSeq };
  }

  get checkpointId(): string {
    return `_local/couchmesh-resolver${this.o.name ? `-${this.o.name}` : ''}`;
  }

  private async loop(
    mode: 'once' | 'follow',
    since: Seq,
    tracker: SeqTracker<Seq>,
    signal: AbortSignal | undefined,
    checkpoint: (force: boolean) => Promise<void> = async () => {},
  ): Promise<Seq> {
    const deps = { ...this.deps, signal, readGate: new Limiter(1), decideGate: new Limiter(1) };
    const { concurrency } = this.o.config;
    const pageSize = this.o.pageSize ?? this.batchSize * concurrency;
    // The first page is one batch: its leaves are read while the node answers the next page, instead of
    // every batch waiting for a page of all of them (~20 ms of the node's time for 2,000 rows, in which
    // nothing else could start).
    let limit = this.o.pageSize ?? this.batchSize;
    const limiter = new Limiter(concurrency);
    let failure: unknown;
    let progressed = 0;
    let longpoll = false;
    let errors = 0;
    const launch = async (ids: string[]) => {
      await limiter.acquire();
      const token = tracker.start();
      void this.batch(deps, ids, mode, signal)
        .then((n) => {
          progressed += n;
          tracker.done(token);
        })
        .catch((e) => {
          failure ??= e;
        })
        .finally(() => limiter.release());
    };
    while (!signal?.aborted && failure === undefined) {
      let page: Awaited<ReturnType<CouchClient['changes']>>;
      try {
        page = await this.o.client.changes({
          db: this.o.db,
          since,
          limit,
          style: 'all_docs',
          ...(longpoll ? { feed: 'longpoll' as const, timeout: this.o.longpollTimeoutMs ?? 30_000 } : {}),
          signal,
        });
        errors = 0;
      } catch (e) {
        if (signal?.aborted) break;
        if (mode === 'once') throw e;
        await this.pause(++errors, e, signal);
        continue;
      }
      const ids: string[] = [];
      for (const r of page.results) {
        const revs = r.changes.map((c) => c.rev);
        // design documents are code, not data: their conflicts are left to people
        if (revs.length > 1 && !r.deleted && !r.id.startsWith('_design/') && !this.known.matches(r.id, revs))
          ids.push(r.id);
      }
      since = page.last_seq;
      for (let i = 0; i < ids.length; i += this.batchSize) await launch(ids.slice(i, i + this.batchSize));
      tracker.mark(since);
      const caughtUp = page.results.length < limit || page.pending === 0;
      limit = pageSize;
      if (caughtUp && mode === 'once') {
        await limiter.drain();
        // Our own writes come back in the feed and are skipped by their known leaves; reading them is
        // the only way to learn that nobody else wrote meanwhile: seqs are opaque (CouchDB 2+ sums
        // shard copies, PouchDB counts revisions), so no seq arithmetic can tell (couchdb/seq.ts).
        if (progressed === 0 && ids.length === 0) break;
        progressed = 0;
        continue;
      }
      if (caughtUp && this.stats.phase === 'backlog') this.stats.phase = 'following';
      longpoll = caughtUp;
      await checkpoint(caughtUp).catch((e) =>
        this.deps.emit({ type: 'error', message: `checkpoint: ${msg(e)}` }),
      );
    }
    await limiter.drain();
    if (failure !== undefined && !signal?.aborted) throw failure;
    return since;
  }

  /** A batch; in follow mode a failed batch (node away) is retried with backoff until it passes. */
  private async batch(deps: BatchDeps, ids: string[], mode: 'once' | 'follow', signal?: AbortSignal) {
    for (let n = 1; ; n++) {
      try {
        return await processBatch(deps, ids);
      } catch (e) {
        if (mode === 'once' || signal?.aborted) throw e;
        await this.pause(n, e, signal);
      }
    }
  }

  private async pause(n: number, e: unknown, signal?: AbortSignal): Promise<void> {
    const ms = Math.min(30_000, 500 * 2 ** Math.min(n - 1, 6));
    this.deps.emit({ type: 'error', message: msg(e), retryInMs: ms });
    await this.clock.sleep(ms, signal).catch(() => undefined);
  }
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
