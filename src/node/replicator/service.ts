import type { Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import type { Database } from '../engine/database.ts';
import { oneLine } from '../log.ts';
import type { NodeState } from '../node-state.ts';
import type { JobContext, ReplicatorApi } from './context.ts';
import { fetchFilterCode } from './filter-code.ts';
import { logJobEvent } from './log-events.ts';
import { DocProcessor } from './processor.ts';
import { COUCH_DEFAULTS, type RepDefaults, type RepSpec } from './rep-doc.ts';
import { runReplication } from './runner.ts';
import { DEFAULT_SCHEDULER, type Job, Scheduler, type SchedulerConfig } from './scheduler.ts';
import { SharedPool } from './shared-pool.ts';
import { ReplicatorCounters } from './stats.ts';
import { TaskSet } from './tasks.ts';
import { ReplicatorTls } from './tls.ts';
import { replicatorAfterRead, replicatorBeforeUpdate } from './validate.ts';

const num = (v: string | undefined, d: number) =>
  v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d;

/**
 * The node's replicator: scheduler + `_replicator` doc processor + job runner, configured live from
 * `[replicator]` (`/_node/_local/_config/replicator/*`). couchmesh-only keys: `backoff_base_msec`
 * (first crash backoff, CouchDB: 30000), `health_threshold_msec`, `max_backoff_interval_msec`
 * (429 AIMD cap, CouchDB: 25000), `startup_jitter` defaults to 0 here (CouchDB: 5000).
 * Nothing runs until `start()`; `close()` resolves once every job, timer and filter fetch settled.
 */
export class ReplicatorService implements ReplicatorApi {
  readonly counters = new ReplicatorCounters();
  readonly scheduler: Scheduler;
  readonly processor: DocProcessor;
  readonly clock: Clock;
  /** what the jobs get (runner, transfer, peer clients): see context.ts */
  readonly jobContext: JobContext;
  private readonly tasks: TaskSet;
  private readonly onDb: (db: Database, event: 'created' | 'deleted') => void;

  constructor(
    readonly node: NodeState,
    clock: Clock = node.clock,
    random: Random = node.random,
  ) {
    this.clock = clock;
    const onError = (e: unknown) =>
      node.logger.log(
        'error',
        `couch_replicator: internal error: ${oneLine(e instanceof Error ? (e.stack ?? e.message) : String(e))}`,
      );
    this.tasks = new TaskSet(onError);
    // a node serving TLS presents its own certificate to peers and trusts its own CA, unless [replicator] says otherwise
    const tls = new ReplicatorTls(() => node.configSections.replicator, node.options.tls);
    this.jobContext = {
      clock,
      random,
      counters: this.counters,
      logger: node.logger,
      clients: new SharedPool<{ close(): Promise<void> }>(),
      maxBackoffInterval: () => this.maxBackoffInterval(),
      tls: () => tls.current(),
    };
    this.scheduler = new Scheduler({
      clock,
      random,
      config: () => this.schedulerConfig(),
      run: (job, signal, running) => runReplication(this.jobContext, job, signal, running),
      counters: this.counters,
      onTerminal: (job) => {
        if (job.docId) this.processor.completed(job);
        this.settleTransient(job);
      },
      onCrash: (job) => {
        // a transient one-shot `_replicate` answers with its first error instead of retrying forever
        if (!job.docId && !job.spec.continuous) {
          this.scheduler.remove(job.id);
          this.settleTransient(job);
        }
      },
      onEvent: (job, type, reason) => logJobEvent(node.logger, job, type, reason),
      onError,
    });
    this.processor = new DocProcessor(
      node,
      this.scheduler,
      this.counters,
      () => this.repDefaults(),
      () => clock.now(),
      {
        fetch: (spec, signal) => this.filterCode(spec, signal),
        // the scheduler's crash backoff, doubling per failed attempt, at most 10 minutes apart
        wait: (attempt, signal) =>
          clock.sleep(
            Math.min(this.schedulerConfig().backoffBaseMs * 2 ** Math.min(attempt, 20), 600_000),
            signal,
          ),
      },
      this.tasks,
    );
    this.onDb = (db, event) => {
      if (db.name !== '_replicator') return;
      if (event === 'created') this.processor.attach(db);
      else {
        this.counters.inc('docs.dbs_deleted');
        this.processor.detach();
      }
    };
  }

  get uuid(): string {
    return this.node.uuid;
  }

  /** Installs the `_replicator` hooks, starts the scheduler and follows `_replicator` from seq 0. */
  start(): void {
    this.node.setBeforeUpdate('_replicator', replicatorBeforeUpdate);
    this.node.setAfterRead('_replicator', replicatorAfterRead);
    this.node.dbListeners.add(this.onDb);
    this.scheduler.start();
    const db = this.node.get('_replicator');
    if (db) this.processor.attach(db);
  }

  /** callers of `POST /_replicate` waiting for a one-shot transient job */
  readonly transientWaiters = new Map<string, (job: Job) => void>();

  private settleTransient(job: Job): void {
    const w = this.transientWaiters.get(job.id);
    this.transientWaiters.delete(job.id);
    w?.(job);
  }

  private cfg(key: string): string | undefined {
    return this.node.configSections.replicator?.[key];
  }

  schedulerConfig(): SchedulerConfig {
    const d = DEFAULT_SCHEDULER;
    return {
      maxJobs: num(this.cfg('max_jobs'), d.maxJobs),
      interval: num(this.cfg('interval'), d.interval),
      maxChurn: num(this.cfg('max_churn'), d.maxChurn),
      maxHistory: num(this.cfg('max_history'), d.maxHistory),
      startupJitter: num(this.cfg('startup_jitter'), d.startupJitter),
      backoffBaseMs: num(this.cfg('backoff_base_msec'), d.backoffBaseMs),
      backoffMaxExp: d.backoffMaxExp,
      healthThreshold: num(this.cfg('health_threshold_msec'), d.healthThreshold),
    };
  }

  repDefaults(): RepDefaults {
    const d = COUCH_DEFAULTS;
    return {
      checkpointInterval: num(this.cfg('checkpoint_interval'), d.checkpointInterval),
      workerProcesses: num(this.cfg('worker_processes'), d.workerProcesses),
      workerBatchSize: num(this.cfg('worker_batch_size'), d.workerBatchSize),
      httpConnections: num(this.cfg('http_connections'), d.httpConnections),
      connectionTimeout: num(this.cfg('connection_timeout'), d.connectionTimeout),
      retriesPerRequest: num(this.cfg('retries_per_request'), d.retriesPerRequest),
      useCheckpoints: this.cfg('use_checkpoints') !== 'false',
      useBulkGet: this.cfg('use_bulk_get') !== 'false',
      validProxyProtocols: (this.cfg('valid_proxy_protocols') ?? d.validProxyProtocols.join(','))
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    };
  }

  /** A design-doc filter's code, read from the replication's source with its credentials. */
  async filterCode(spec: RepSpec, signal: AbortSignal): Promise<string> {
    const { openPeer } = await import('./peer-client.ts');
    const source = openPeer(this.jobContext, spec.source, spec, signal);
    try {
      return await fetchFilterCode(source, spec.filter as string);
    } finally {
      await source.close();
    }
  }

  /** 429 AIMD cap: reaching it crashes the job with `max_backoff`. */
  maxBackoffInterval(): number {
    return num(this.cfg('max_backoff_interval_msec'), 25_000);
  }

  gauges() {
    const jobs = this.scheduler.list();
    return {
      running: jobs.filter((j) => j.state === 'running').length,
      pending: jobs.filter((j) => j.state === 'pending').length,
      crashed: jobs.filter((j) => j.state === 'crashing').length,
      total: jobs.length,
    };
  }

  runningJobs(): Job[] {
    return this.scheduler.list().filter((j) => j.state === 'running');
  }

  /** Stops every job; resolves once their runners, the timers and the filter fetches have settled. */
  async close(): Promise<void> {
    this.node.dbListeners.delete(this.onDb);
    this.processor.detach();
    await Promise.all([this.scheduler.close(), this.tasks.settled()]);
  }
}
