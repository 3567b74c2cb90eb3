import type { Clock } from '../../core/clock.ts';
import type { Random } from '../../core/random.ts';
import type { NodeLogger } from '../log.ts';
import type { DocProcessor } from './processor.ts';
import type { RepDefaults, RepSpec } from './rep-doc.ts';
import type { Job, Scheduler } from './scheduler.ts';
import type { SharedPool } from './shared-pool.ts';
import type { ReplicatorCounters } from './stats.ts';
import type { ReplicatorTlsSettings } from './tls.ts';

/**
 * What a replication job (runner, transfer, peer client) uses of the node's replicator, and nothing
 * more: the jobs never see the scheduler, the doc processor or the node's databases. It talks to
 * every endpoint, its own node included, over HTTP, as CouchDB's replicator does.
 */
export interface JobContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly counters: ReplicatorCounters;
  readonly logger: NodeLogger;
  /** HTTP clients of the running jobs, shared per endpoint and user (see peer-client.ts) */
  readonly clients: SharedPool<{ close(): Promise<void> }>;
  /** 429 AIMD cap (`max_backoff_interval_msec`): reaching it crashes the job with `max_backoff` */
  maxBackoffInterval(): number;
  /** client certificate, trusted CAs and verification for https:// endpoints (`[replicator]` TLS keys,
   *  see tls.ts); throws RepCrash when a configured file cannot be used */
  tls(): ReplicatorTlsSettings;
}

/**
 * What the HTTP routes (`_scheduler/*`, `_replicate`, `_active_tasks`, `_stats`) use of the
 * replicator: reads of the jobs and doc records, adding/removing transient jobs, the counters.
 */
export interface ReplicatorApi {
  /** the node's uuid: part of every replication id, and of `node` in CouchDB's answers */
  readonly uuid: string;
  readonly scheduler: Pick<Scheduler, 'list' | 'get' | 'add' | 'remove' | 'newJob'>;
  readonly processor: Pick<DocProcessor, 'records' | 'dbName'>;
  readonly counters: ReplicatorCounters;
  /** callers of `POST /_replicate` waiting for a one-shot transient job */
  readonly transientWaiters: Map<string, (job: Job) => void>;
  repDefaults(): RepDefaults;
  /** a design-doc filter's code, read from the replication's source */
  filterCode(spec: RepSpec, signal: AbortSignal): Promise<string>;
  gauges(): Record<'running' | 'pending' | 'crashed' | 'total', number>;
  runningJobs(): Job[];
}
