import type { AuditEntry } from './entry.ts';

/** Where resolutions are recorded before anything is deleted. */
export interface AuditSink {
  /** e.g. `db couchmesh_audit` or `file ./audit.ndjson` (never credentials). */
  readonly description: string;
  /** Makes sure the store exists (creates the database). */
  open(): Promise<void>;
  /**
   * Stores entries; storing one that is already there changes nothing. Returns the ids that could
   * not be stored, with the reason: their documents must not be touched.
   */
  record(entries: readonly AuditEntry[]): Promise<Map<string, string>>;
  /** Every entry of one document, oldest first. */
  forDoc(docId: string): Promise<AuditEntry[]>;
  get(id: string): Promise<AuditEntry | undefined>;
}

export const byRecordedAt = (a: AuditEntry, b: AuditEntry) =>
  a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : a._id < b._id ? -1 : 1;
