import type { ErrorCode } from '../core/codes.ts';

/** Checks and normalizes a node URL. Messages never repeat credentials found in it. */
export type UrlCheck =
  | { ok: true; url: string }
  | { ok: false; code: ErrorCode; message: string; expected: string; hint?: string };

const EXPECTED = 'an http:// or https:// URL such as http://127.0.0.1:5984';

/** `http://user:pw@host/` -> `http://***@host/`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

export function checkNodeUrl(raw: string): UrlCheck {
  const shown = redactUrl(raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return {
      ok: false,
      code: 'E_URL',
      message: `'${shown}' is not a URL`,
      expected: EXPECTED,
      hint: /^[a-z0-9.-]+(:\d+)?(\/|$)/i.test(raw) ? `add the scheme: http://${shown}` : undefined,
    };
  }
  if (u.username || u.password)
    return {
      ok: false,
      code: 'E_URL_CREDENTIALS',
      message: `URL ${shown} carries credentials`,
      expected: 'a URL without user:password@',
      hint: "remove 'user:password@' and reference the credentials: auth: { username, password_env: VAR }",
    };
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return {
      ok: false,
      code: 'E_URL',
      message: `URL scheme '${u.protocol}' is not supported`,
      expected: EXPECTED,
    };
  if (u.search || u.hash)
    return {
      ok: false,
      code: 'E_URL',
      message: `URL ${shown} has a query or fragment`,
      expected: 'a base URL: scheme, host, port and an optional path prefix',
    };
  return { ok: true, url: u.origin + u.pathname.replace(/\/+$/, '') };
}
