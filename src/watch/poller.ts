/**
 * The telemetry poller: the I/O edge of observe/ + health/. Each poll reads every node with bounded
 * concurrency (node-poll.ts: 3 requests per node in steady state); each poll extends the compact
 * per-direction series of a time-bounded window (health/series-book.ts); after every poll the health rules run over it and the findings are diffed against
 * the previous poll's (health-book.ts). `run` polls on a fixed cadence measured from poll start.
 */
import { type Clock, systemClock } from '../core/clock.ts';
import { type FindingDiff, findingKey } from '../health/diff.ts';
import type { CheckpointPair } from '../health/rules-checkpoint.ts';
import type { NodeMark } from '../health/series-book.ts';
import { type Finding, type HealthThresholds, withDefaults } from '../health/types.ts';
import type { MeshLink } from '../observe/links.ts';
import { type LinkView, linkView, type NodeSnapshot } from '../observe/snapshot.ts';
import { mapLimit } from '../plan/observe.ts';
import { HealthBook, type Silence } from './health-book.ts';
import { NodePoll } from './node-poll.ts';
import type { PollTarget } from './targets.ts';

export { integrityFindings, type Silence } from './health-book.ts';
export { type PollTarget, pollTargets } from './targets.ts';
export { findingKey };

export interface PollerOptions {
  targets: readonly PollTarget[];
  links: readonly MeshLink[];
  clock?: Clock;
  /** time between poll starts (default thresholds.pollIntervalMs) */
  intervalMs?: number;
  thresholds?: Partial<HealthThresholds>;
  /** nodes polled at the same time (default 8) */
  concurrency?: number;
  /** `_scheduler/docs` rows per request (default 500: one request per poll up to 500 docs) */
  pageSize?: number;
  /** `_scheduler/jobs` + `_stats` at most this often per node in steady state (default 6 polls) */
  slowIntervalMs?: number;
  /** ... and at most this often when a doc needs them (crashing, error, pending; default 2 polls) */
  demandIntervalMs?: number;
  /** how long snapshots are kept (default max(10 min, thresholds.windowMs)) */
  retainMs?: number;
  /** a node without the scheduler API is probed for it again after this long (default 10 min) */
  reprobeMs?: number;
}

export interface PollRequests {
  total: number;
  byNode: Record<string, number>;
}

export interface PollResult {
  /** 1 for the first poll */
  poll: number;
  startedAt: number;
  at: number;
  /** this poll's snapshots, one per node */
  snapshots: NodeSnapshot[];
  views: LinkView[];
  findings: Finding[];
  diff: FindingDiff;
  requests: PollRequests;
}

export class Poller {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly thresholds: HealthThresholds;
  readonly links: readonly MeshLink[];
  readonly targets: readonly PollTarget[];
  readonly #concurrency: number;
  readonly #nodes: NodePoll[];
  readonly #book: HealthBook;
  #views: LinkView[] = [];
  #polls = 0;
  #last: PollResult | undefined;

  constructor(o: PollerOptions) {
    this.clock = o.clock ?? systemClock;
    this.targets = o.targets;
    this.links = o.links;
    const t = withDefaults(o.thresholds);
    this.intervalMs = o.intervalMs ?? t.pollIntervalMs;
    this.thresholds = { ...t, pollIntervalMs: this.intervalMs };
    this.#concurrency = o.concurrency ?? 8;
    const settings = {
      clock: this.clock,
      pageSize: o.pageSize ?? 500,
      slowIntervalMs: o.slowIntervalMs ?? 6 * this.intervalMs,
      demandIntervalMs: o.demandIntervalMs ?? 2 * this.intervalMs,
      reprobeMs: o.reprobeMs ?? 600_000,
    };
    this.#nodes = o.targets.map((target) => new NodePoll(target, settings));
    const retainMs = o.retainMs ?? Math.max(600_000, this.thresholds.windowMs);
    this.#book = new HealthBook(this.links, this.thresholds, retainMs);
  }

  /**
   * What is kept of each poll of each node (oldest first within each node): the marks the node rules
   * read; raw snapshots are not kept past the join (`last.snapshots` has the latest poll's).
   */
  get snapshots(): readonly NodeMark[] {
    return this.#book.marks;
  }

  get findings(): readonly Finding[] {
    return this.#book.findings;
  }

  get views(): readonly LinkView[] {
    return this.#views;
  }

  get last(): PollResult | undefined {
    return this.#last;
  }

  /** Drop findings matching `s` until `s.until` (used after a deliberate checkpoint reset). */
  silence(s: Silence): void {
    this.#book.silence(s);
  }

  /** Checkpoint pairs read on demand: judged by the integrity rule until `thresholds.windowMs` old. */
  addCheckpoints(pairs: readonly CheckpointPair[], at = this.clock.now()): void {
    this.#book.addCheckpoints(pairs, at);
  }

  /** One poll of every node, then the health rules; `signal` aborts the requests in flight. */
  async pollOnce(signal?: AbortSignal): Promise<PollResult> {
    const startedAt = this.clock.now();
    const byNode: Record<string, number> = {};
    const snapshots = await mapLimit(this.#nodes, this.#concurrency, async (n) => {
      const r = await n.read(signal);
      byNode[n.target.name] = r.requests;
      return r.snapshot;
    });
    signal?.throwIfAborted();
    const now = this.clock.now();
    const { findings, diff } = this.#book.record(snapshots, now);
    this.#views = linkView(snapshots, this.links, this.#views);
    this.#polls++;
    const total = Object.values(byNode).reduce((a, b) => a + b, 0);
    this.#last = {
      poll: this.#polls,
      startedAt,
      at: now,
      snapshots,
      views: this.#views,
      findings,
      diff,
      requests: { total, byNode },
    };
    return this.#last;
  }

  /** The health rules over the kept snapshots (and fresh checkpoint pairs), silences applied. */
  evaluate(now = this.clock.now()): Finding[] {
    return this.#book.evaluate(now);
  }

  /**
   * Polls every `intervalMs` (measured from poll start) until `signal` aborts; `onPoll` sees each
   * result. Resolves on abort; an error thrown by `onPoll` ends the loop with that error.
   */
  async run(signal: AbortSignal, onPoll: (r: PollResult) => void | Promise<void>): Promise<void> {
    while (!signal.aborted) {
      const started = this.clock.now();
      let result: PollResult;
      try {
        result = await this.pollOnce(signal);
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      await onPoll(result);
      const wait = Math.max(0, this.intervalMs - (this.clock.now() - started));
      try {
        await this.clock.sleep(wait, signal);
      } catch {
        return;
      }
    }
  }
}
