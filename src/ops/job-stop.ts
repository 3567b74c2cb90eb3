/**
 * Waiting for a node's scheduler to drop the job of a deleted `_replicator` document. CouchDB stops
 * that job asynchronously: couch_replicator_doc_processor removes it only once the deletion is seen
 * on `_replicator`'s changes feed, so for a moment after the delete is acknowledged the job still
 * runs. `GET /_scheduler/docs/_replicator/<docid>` answers 404 `not_found` once it is dropped
 * (CouchDB 3; test/fixtures/couchdb/samples/scheduler-doc-missing-404.json).
 */
import type { Clock } from '../core/clock.ts';
import type { CouchClient } from '../couch/client.ts';
import { schedulerEntry } from './direction-job.ts';

/** How long a stop is awaited by default (checkpoint reset, apply's moves). */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** Between two reads of the scheduler. */
export const STOP_POLL_MS = 100;

export interface StopWaitOptions {
  clock: Clock;
  /** give up after this long (default 30 s) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Polls (bounded, on the clock) until the scheduler no longer lists the doc's job: true once it
 * answers 404, false when it still lists the job at the deadline. A failed read throws.
 */
export async function waitJobGone(
  client: CouchClient,
  docId: string,
  opts: StopWaitOptions,
): Promise<boolean> {
  const { clock } = opts;
  const deadline = clock.now() + (opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  for (;;) {
    if ((await schedulerEntry(client, docId)) === null) return true;
    if (clock.now() >= deadline) return false;
    await clock.sleep(STOP_POLL_MS, opts.signal);
  }
}

/**
 * Apply's `awaitStop` for moves: waits on the old node's scheduler; null once the job is gone, else
 * why the create must be withheld (a direction never runs on two nodes).
 */
export function stopAwaiter(
  clients: Map<string, CouchClient>,
  opts: StopWaitOptions,
): (node: string, id: string) => Promise<string | null> {
  const seconds = (opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) / 1000;
  return async (node, id) =>
    (await waitJobGone(clients.get(node) as CouchClient, id, opts))
      ? null
      : `${node} still lists the old job after ${seconds} s`;
}
