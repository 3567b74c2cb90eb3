/**
 * The promises a long-lived component starts and must answer for: each is tracked until it
 * settles, a rejection is handed to `onError` (never an unhandled rejection, never lost), and
 * `settled()` lets `close()` wait for the last of them.
 */
export class TaskSet {
  private readonly live = new Set<Promise<void>>();

  constructor(private readonly onError: (e: unknown) => void) {}

  track(p: Promise<unknown>): void {
    const t: Promise<void> = p
      .then(
        () => undefined,
        (e: unknown) => this.onError(e),
      )
      .finally(() => this.live.delete(t));
    this.live.add(t);
  }

  get size(): number {
    return this.live.size;
  }

  /** Resolves once every tracked promise has settled, those started meanwhile included. */
  async settled(): Promise<void> {
    while (this.live.size) await Promise.allSettled([...this.live]);
  }
}
