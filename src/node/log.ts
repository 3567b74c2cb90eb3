import { createWriteStream } from 'node:fs';

/**
 * The node's log: CouchDB's levels and line format (`[notice] 2026-12-02T10:00:00.000000Z
 * couchmesh@NODE <0.0.0> -------- message`), so tools that read a CouchDB log (`couchmesh doctor
 * --log`) read ours. No caller ever passes a credential: request lines carry the path only, and
 * endpoint URLs are logged without their userinfo.
 */
export const LEVELS = ['debug', 'info', 'notice', 'warning', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface NodeLogger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string): void;
}

export function isLogLevel(v: string): v is LogLevel {
  return (LEVELS as readonly string[]).includes(v);
}

export function createLogger(
  sink: ((line: string) => void) | undefined,
  level: LogLevel,
  nodeName: () => string,
  now: () => number = Date.now,
): NodeLogger {
  const min = LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => sink !== undefined && LEVELS.indexOf(l) >= min;
  return {
    enabled,
    log(l, message) {
      if (!enabled(l)) return;
      const time = new Date(now()).toISOString().replace('Z', '000Z');
      sink?.(`[${l}] ${time} ${nodeName()} <0.0.0> -------- ${message}`);
    },
  };
}

/** Appends lines to `file` (created 0600: a log is evidence, and private). */
export function fileSink(file: string): (line: string) => void {
  const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
  return (line) => out.write(`${line}\n`);
}

/** A URL without userinfo, query or fragment, for log lines. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/**
 * Text from outside (doc ids, crash reasons from peers) made one line: CR, LF and the Unicode line
 * separators are written as JSON escapes, so a doc id cannot forge the lines `doctor --log` reads.
 */
export function oneLine(s: string): string {
  const esc: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return s.replace(/[\r\n\u2028\u2029]/g, (c) => esc[c] ?? c);
}
