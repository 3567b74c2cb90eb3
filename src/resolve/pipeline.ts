/** A counting semaphore: at most `limit` batches in flight. */
export class Limiter {
  #active = 0;
  #waiters: Array<() => void> = [];
  #idle: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get active(): number {
    return this.#active;
  }

  async acquire(): Promise<void> {
    if (this.#active < this.limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((r) => this.#waiters.push(r));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next)
      next(); // the slot passes to the waiter
    else {
      this.#active--;
      if (this.#active === 0) for (const r of this.#idle.splice(0)) r();
    }
  }

  /** Resolves once nothing is in flight. */
  drain(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }
}

/**
 * Which `_changes` seq is safe to checkpoint while batches finish out of order: a page's last seq
 * becomes safe once every batch started before it is done.
 */
export class SeqTracker<S> {
  #next = 0;
  #open = new Set<number>();
  #marks: Array<{ before: number; seq: S }> = [];
  #safe: S | undefined;

  constructor(initial?: S) {
    this.#safe = initial;
  }

  start(): number {
    const i = this.#next++;
    this.#open.add(i);
    return i;
  }

  done(i: number): void {
    this.#open.delete(i);
  }

  /** Everything up to `seq` has been handed to batches started so far. */
  mark(seq: S): void {
    this.#marks.push({ before: this.#next, seq });
  }

  get safe(): S | undefined {
    let lowest = Number.POSITIVE_INFINITY;
    for (const i of this.#open) lowest = Math.min(lowest, i);
    while (this.#marks.length && (this.#marks[0] as { before: number }).before <= lowest)
      this.#safe = (this.#marks.shift() as { seq: S }).seq;
    return this.#safe;
  }
}

/**
 * Leaf sets we expect a document to have (after our own write, or when it was found clean): a
 * `_changes` row with exactly that set needs no fetch. Bounded; the oldest entries go first.
 */
export class KnownLeaves {
  #map = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  static key(revs: readonly string[]): string {
    return [...revs].sort().join(' ');
  }

  set(id: string, revs: readonly string[]): void {
    this.#map.delete(id);
    this.#map.set(id, KnownLeaves.key(revs));
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }

  matches(id: string, revs: readonly string[]): boolean {
    return this.#map.get(id) === KnownLeaves.key(revs);
  }
}
