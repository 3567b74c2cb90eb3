/**
 * When will CouchDB retry a crashing job? `couch_replicator_scheduler.erl`:
 *   backoff_micros(CrashCount) -> (1 bsl min(CrashCount - 1, ?MAX_BACKOFF_EXPONENT)) * ?BACKOFF_INTERVAL_MICROS
 * with ?BACKOFF_INTERVAL_MICROS = 30 s and ?MAX_BACKOFF_EXPONENT = 10 (capped at 30 720 s ≈ 8.5 h;
 * REFERENCE A2). A job is eligible again once `now - latest_crash_timestamp >= backoff`
 * (`not_recently_crashed/3`); it actually restarts at the next reschedule cycle (`interval`, 60 s),
 * so the computed time is the EARLIEST retry. `error_count` in `_scheduler/docs` is that
 * CrashCount (`consecutive_crashes/2` in `job_summary/2`).
 */
import type { ErrorInfo, RepStats, SchedulerDoc, SchedulerJob } from './types.ts';

export const BACKOFF_INTERVAL_MS = 30_000;
export const MAX_BACKOFF_EXPONENT = 10;

/** 30 s × 2^min(n-1, 10); 0 for n <= 0 (Erlang's `1 bsl -1` is 0). */
export function crashBackoffMs(consecutiveCrashes: number): number {
  if (consecutiveCrashes <= 0) return 0;
  return BACKOFF_INTERVAL_MS * 2 ** Math.min(consecutiveCrashes - 1, MAX_BACKOFF_EXPONENT);
}

/**
 * The least time a job with `n` consecutive crashes has been crash-looping: the backoffs it waited
 * between them, Σ backoff(1..n-1). A single poll of `error_count: 5` thus dates the loop (≥ 7.5 min).
 */
export function crashStreakMinMs(consecutiveCrashes: number): number {
  let total = 0;
  for (let k = 1; k < consecutiveCrashes; k++) total += crashBackoffMs(k);
  return total;
}

/** ISO-8601 (`2026-11-27T15:30:32Z`) or RFC 1123 text to epoch ms; null when unparsable. */
export function parseTime(text: string | null | undefined): number | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

export interface CrashInfo {
  at: number | null;
  reason: string | null;
}

/**
 * The latest crash of a job: the newest `crashed` event of `_scheduler/jobs` history when known,
 * else a crashing doc's `last_updated` (the newest history event, `last_updated/1`) and `info.error`.
 */
export function lastCrash(doc: SchedulerDoc | undefined, job: SchedulerJob | undefined): CrashInfo | null {
  const ev = job?.history.find((e) => e.type === 'crashed');
  if (ev) return { at: parseTime(ev.timestamp), reason: ev.reason ?? null };
  if (doc && (doc.state === 'crashing' || doc.state === 'error' || doc.state === 'failed'))
    return { at: parseTime(doc.last_updated), reason: errorOf(doc) };
  return null;
}

/** Earliest restart of a `crashing` job, or null (not crashing / crash time unknown). */
export function nextRetryAt(
  state: string,
  errorCount: number,
  crashAt: number | null | undefined,
): number | null {
  if (state !== 'crashing' || crashAt === null || crashAt === undefined) return null;
  return crashAt + crashBackoffMs(Math.max(1, errorCount));
}

/** Stats of a doc's `info`, when it carries stats (running / pending / completed). */
export function statsOf(doc: SchedulerDoc | undefined): RepStats | null {
  return doc?.info && 'revisions_checked' in doc.info ? doc.info : null;
}

/** `info.error` of a doc in an error state (crash reason). */
export function errorOf(doc: SchedulerDoc | undefined): string | null {
  return doc?.info && 'error' in doc.info ? (doc.info as ErrorInfo).error : null;
}
