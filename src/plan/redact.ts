/**
 * Secrets never leave couchmesh: every value shown (human view, `--json`, a saved plan) goes through
 * `redact`, which replaces passwords, Authorization/Cookie headers and URL userinfo passwords by
 * `(sensitive)`.
 */
export const SENSITIVE = '(sensitive)';

const SECRET_KEYS = new Set(['password', 'authorization', 'proxy-authorization', 'cookie']);

/** `http://u:pw@host/db` -> `http://u:(sensitive)@host/db` (a password in a URL is still a password). */
export function redactString(s: string): string {
  return s.replace(/([a-z][a-z0-9+.-]*:\/\/[^/?#:@\s]*):[^/?#@\s]*@/gi, `$1:${SENSITIVE}@`);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** A deep copy of `v` with every secret replaced by `(sensitive)`. */
export function redact<T>(v: T): T {
  if (typeof v === 'string') return redactString(v) as T;
  if (Array.isArray(v)) return v.map(redact) as T;
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, isSecretKey(k) && x !== undefined ? SENSITIVE : redact(x)]),
    ) as T;
  return v;
}
