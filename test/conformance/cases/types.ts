// Shape of a conformance case. Each area file exports an `Area`: a table of these.
import type { Auth, Json, RequestOptions, Res, Target } from '../harness.ts';

export interface Ctx {
  readonly target: Target;
  /** This case's own database (`cm_conf_<random>`); created (q=1) unless the case says `db: 'none'`. */
  readonly db: string;
  /** Values a setup step hands to the request / expectations (revs, seqs, cookies, user names). */
  readonly vars: Record<string, string>;
  /** Request against the target; `{db}` in the path is replaced by this case's database. */
  http(method: string, path: string, opts?: RequestOptions): Promise<Res>;
  /** Setup step that must succeed (2xx); returns the parsed JSON body. */
  ok(method: string, path: string, opts?: RequestOptions): Promise<Json>;
}

export interface Req {
  method: string;
  /** Sent verbatim after replacing `{db}`; percent-encode query values as CouchDB clients do. */
  path: string;
  /** Object/array: JSON (adds Content-Type application/json); string/Buffer: raw (set Content-Type yourself). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Default 'admin' (Basic auth as the server admin). */
  auth?: Auth;
  /** For streamed responses: read for at most this long, then close the connection. */
  maxMs?: number;
  /** For streamed responses: stop reading once the body so far satisfies this (then `ended` is false). */
  until?: (text: string) => boolean;
}

export interface Expect {
  /** Exact status, or the statuses CouchDB 3.x versions are known to answer. */
  status: number | number[];
  /** Exact Content-Type header value, or a pattern. */
  contentType?: string | RegExp;
  /** Lower-case header name -> exact value / pattern; `null` means the header must be absent. */
  headers?: Record<string, string | RegExp | null>;
  /** Parsed JSON body, deep-equal; key order is compared too unless `keyOrder: false`. */
  body?: unknown;
  keyOrder?: boolean;
  /** Exact raw body text. */
  text?: string;
  /** Exact top-level key list, in order. */
  keys?: string[];
  /** Exact top-level key set, any order. */
  keySet?: string[];
  /** Anything else (seqs, ids, timing). Runs after the checks above. */
  check?: (res: Res, ctx: Ctx) => void | Promise<void>;
}

export interface Case {
  name: string;
  /** File in test/fixtures/couchdb/samples this case reproduces (failures name it). */
  sample?: string;
  /** Why the expected body differs from the sample's (e.g. q=1 row order, our own user names). */
  deviation?: string;
  /** 'fresh' (default): a new database is created for the case; 'none': the case creates what it needs. */
  db?: 'fresh' | 'none';
  /** Run with `[couchdb] max_document_size` = this (a second embedded node, or a config change remotely). */
  maxDocumentSize?: number;
  setup?: (ctx: Ctx) => Promise<void>;
  request: Req | ((ctx: Ctx) => Req);
  expect: Expect | ((ctx: Ctx) => Expect);
}

export interface Area {
  name: string;
  cases: Case[];
}

export const JSON_CT = 'application/json';
