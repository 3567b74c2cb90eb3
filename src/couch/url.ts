import { CouchError, CouchErrorCode, optionError } from './errors.ts';

/** A node's base URL, split once at construction. */
export interface NodeUrl {
  /** `http://host:port` (what undici dispatches to). */
  origin: string;
  /** Path prefix when CouchDB sits below a path (`https://host/couchdb` -> `/couchdb`), else ''. */
  prefix: string;
  /** `origin + prefix`: the URL errors and events report (never carries credentials). */
  base: string;
}

/** `http://user:pw@host/` -> `http://***@host/` (for messages about URLs we refuse or cannot parse). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

export function parseNodeUrl(raw: string): NodeUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw optionError(`invalid node URL ${JSON.stringify(redactUrl(String(raw)))}`, 'use http://host:port');
  }
  if (u.username || u.password)
    throw new CouchError(
      CouchErrorCode.URL_CREDENTIALS,
      `node URL ${redactUrl(raw)} carries credentials in its userinfo; refusing it so they cannot leak into logs`,
      {
        node: `${u.protocol}//${u.host}`,
        method: '',
        path: '',
        hint: "remove 'user:password@' from the URL and pass auth: { username, password } (or { cookie: true, username, password })",
      },
    );
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw optionError(`node URL must be http or https, got ${u.protocol}`, 'use http://host:port');
  if (u.search || u.hash)
    throw optionError(`node URL must not have a query or fragment: ${u.href}`, 'use http://host:port');
  const prefix = u.pathname.replace(/\/+$/, '');
  return { origin: u.origin, prefix, base: u.origin + prefix };
}

/** A query value: strings and numbers as-is, booleans as true/false, arrays/objects as JSON. */
export type QueryValue = string | number | boolean | null | undefined | readonly unknown[] | object;
export type Query = Record<string, QueryValue>;

/** Parameters CouchDB reads as JSON, so a string value must be sent quoted (`key="a"`). */
const JSON_PARAMS = new Set([
  'key',
  'keys',
  'startkey',
  'endkey',
  'start_key',
  'end_key',
  'doc_ids',
  'atts_since',
  'open_revs',
]);

export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    let s: string;
    if (k === 'open_revs' && v === 'all') s = 'all';
    else if (JSON_PARAMS.has(k) || (typeof v === 'object' && v !== null)) s = JSON.stringify(v);
    else s = String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// database and document paths are CouchDB's routing rules: one definition, in the core
export { dbPath, docPath } from '../couchdb/paths.ts';
