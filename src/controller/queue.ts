/**
 * The controller's keyed work queue, after controller-runtime's (client-go `workqueue`): a key is
 * a piece of the mesh to reconcile (`mesh`, `direction:n1->n2/sensors`, `db:sensors@n1`), never an
 * event. Guarantees:
 * - de-duplicating: a key added while it waits is one item;
 * - one key is never handed out twice at once: a key added while it is processed is queued again
 *   when `done` is called for it;
 * - per-key exponential backoff on failure (`addRateLimited`, base * 2^failures, capped) combined
 *   with an overall token bucket (the larger delay wins, as client-go's MaxOfRateLimiter);
 * - every delay is slept on the injected Clock (tests use ManualClock).
 */
import type { Clock } from '../core/clock.ts';

export interface QueueOptions {
  clock: Clock;
  /** first retry delay of a failing key (default 1 s) */
  baseDelayMs?: number;
  /** the backoff's cap (default 5 min) */
  maxDelayMs?: number;
  /** overall rate limit of rate-limited adds: tokens per second (default 10) ... */
  qps?: number;
  /** ... and bucket size (default 100) */
  burst?: number;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #base: number;
  readonly #max: number;
  readonly #qps: number;
  readonly #burst: number;
  /** keys waiting to be handed out, in order */
  #queue: string[] = [];
  /** keys that need processing (queued, or re-added while processing) */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  /** consecutive failures per key (the backoff exponent) */
  readonly #failures = new Map<string, number>();
  /** key -> when its delayed add fires (only the earliest is kept) */
  readonly #delayed = new Map<string, number>();
  readonly #waiters: Array<(key: string | undefined) => void> = [];
  readonly #stop = new AbortController();
  #tokens: number;
  #tokensAt: number;

  constructor(o: QueueOptions) {
    this.#clock = o.clock;
    this.#base = o.baseDelayMs ?? 1_000;
    this.#max = o.maxDelayMs ?? 300_000;
    this.#qps = o.qps ?? 10;
    this.#burst = o.burst ?? 100;
    this.#tokens = this.#burst;
    this.#tokensAt = o.clock.now();
  }

  get shuttingDown(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Keys waiting (not counting those being processed or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  get processing(): readonly string[] {
    return [...this.#processing];
  }

  add(key: string): void {
    if (this.shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // queued again by done()
    const w = this.#waiters.shift();
    if (w) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      w(key);
    } else this.#queue.push(key);
  }

  /** Adds `key` once `ms` have passed on the clock (an earlier pending add of the key wins). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending !== undefined && pending <= at) return;
    this.#delayed.set(key, at);
    this.#clock.sleep(ms, this.#stop.signal).then(
      () => {
        if (this.#delayed.get(key) !== at) return; // superseded by an earlier add
        this.#delayed.delete(key);
        this.add(key);
      },
      () => undefined,
    );
  }

  /** The delay a failure of `key` earns now (and counts the failure). */
  when(key: string): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const backoff = Math.min(this.#max, this.#base * 2 ** Math.min(n, 30));
    return Math.max(backoff, this.#bucketDelay());
  }

  /** Adds `key` after its backoff (a failure of the key). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.when(key));
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  #bucketDelay(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#tokensAt) * this.#qps) / 1000);
    this.#tokensAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.#qps);
  }

  /** The next key to process, or undefined once the queue shuts down. Call `done(key)` after. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Processing of `key` ended: if it was added meanwhile, it is queued again now. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys: waiting `get`s resolve undefined, delayed adds are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.#stop.abort();
    for (const w of this.#waiters.splice(0)) w(undefined);
    this.#queue = [];
    this.#dirty.clear();
    this.#delayed.clear();
  }
}

export interface WorkResult {
  /** reconcile this key again after this long (a level-based loop's own cadence) */
  requeueAfterMs?: number;
}

/**
 * `workers` loops taking keys and calling `handle`; a throw counts as a failure of the key
 * (re-added after its backoff, `onError` told), a success forgets its backoff. Resolves once the
 * queue is shut down and every in-flight `handle` has finished.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handle: (key: string) => Promise<WorkResult | undefined>,
  onError: (key: string, error: unknown) => void = () => {},
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const r = await handle(key);
        queue.forget(key);
        if (r?.requeueAfterMs !== undefined) queue.addAfter(key, r.requeueAfterMs);
      } catch (e) {
        onError(key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}
