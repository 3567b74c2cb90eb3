/**
 * Running totals of per-job counters. CouchDB's `docs_written` / `doc_write_failures` count from 0
 * for every run of a replication job (`couch_replicator_scheduler_job` starts a fresh stats record
 * when a job starts, after a crash, a restart or a `_replicator` doc update), so they fall back on
 * each restart. A running total per direction only grows: between two polls of the same run it
 * adds the difference; when the run changed (replication id or start time differ) or the value went
 * down, it adds the new run's value whole. What a run wrote after the last poll before it ended is
 * not seen (a lower bound, as any scrape of a counter that resets).
 */
export interface RunSample {
  /** identity of the job run: replication id + start time (null when unknown) */
  run: string | null;
  /** the counter of that run (null when not observed this poll) */
  value: number | null;
}

export class RunningTotals {
  readonly #last = new Map<string, { run: string | null; value: number }>();

  /** How much the total of `key` grows with this sample (>= 0). */
  add(key: string, s: RunSample): number {
    if (s.value === null || !Number.isFinite(s.value) || s.value < 0) return 0;
    const last = this.#last.get(key);
    this.#last.set(key, { run: s.run, value: s.value });
    if (!last) return s.value;
    const sameRun = last.run === s.run || s.run === null || last.run === null;
    return sameRun && s.value >= last.value ? s.value - last.value : s.value;
  }

  /** Forgets a key (a direction removed from the mesh). */
  forget(key: string): void {
    this.#last.delete(key);
  }
}
