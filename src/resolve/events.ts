import type { Seq } from '../couchdb/seq.ts';

/** What a resolver reports as it goes (progress lines, logs, the CLI's summary). */
export type ResolverEvent =
  | {
      type: 'resolved';
      docId: string;
      /** Audit entry id: what `conflicts undo` takes. */
      entry: string;
      strategy: string;
      /** The winner after the resolution, and the losing leaves that were deleted. */
      resultRev: string;
      losers: string[];
      merged: boolean;
    }
  /** Dry run: what would be written. */
  | { type: 'planned'; docId: string; strategy: string; resultRev: string; losers: string[]; merged: boolean }
  | { type: 'declined'; docId: string; strategy: string; reason: string; entry?: string }
  | { type: 'retry'; docId: string; reason: string }
  | { type: 'failed'; docId: string; reason: string }
  | { type: 'checkpoint'; seq: Seq }
  /** A batch failed (node unreachable, ...): continuous mode retries it after `retryInMs`. */
  | { type: 'error'; message: string; retryInMs?: number };

export type EventSink = (e: ResolverEvent) => void;
