import type { IncomingMessage, ServerResponse } from 'node:http';
import { type JsonNode, toValue } from '../../couchdb/json-scan.ts';
import { badRequest, CouchHttpError } from '../engine/errors.ts';
import type { NodeState } from '../node-state.ts';
import { decodeJsonBody } from './body-encoding.ts';
import { scanRequestJson } from './json-text.ts';

export interface UserCtx {
  name: string | null;
  roles: string[];
  /** how the user authenticated: 'default' (basic), 'cookie', or undefined (anonymous) */
  authenticated?: 'default' | 'cookie';
}

// jiffy refuses invalid UTF-8: decode strictly instead of substituting U+FFFD
const utf8 = new TextDecoder('utf-8', { fatal: true });

export const isAdmin = (u: UserCtx) => u.roles.includes('_admin');

const BOOL_PARAMS = new Set([
  'conflicts',
  'deleted_conflicts',
  'revs',
  'revs_info',
  'latest',
  'local_seq',
  'attachments',
  'att_encoding_info',
  'include_docs',
  'descending',
  'inclusive_end',
  'update_seq',
  'new_edits',
  'meta',
]);

/** One request: parsed URL, the user, and lazy body readers bounded by `max_http_request_size`. */
export class Ctx {
  readonly url: URL;
  readonly path: string[];
  user: UserCtx = { name: null, roles: [] };
  private bodyPromise: Promise<Buffer> | undefined;
  /** The limit the body was read under and its 413, for the inflated bytes of a gzip body. */
  private bodyLimit: { max: number; refuse: () => CouchHttpError } | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly node: NodeState,
  ) {
    // a request target starting '//' is a path (mochiweb reads the raw path), not a protocol-relative
    // URL: `new URL('//keep/d1', base)` would take `keep` for a host and read /d1 (fuzzing found it)
    const target = req.url ?? '/';
    this.url = new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
    // split on raw '/', then decode each segment (so %2F inside a doc id stays in the segment); empty
    // segments are dropped as chttpd's `string:tokens(Path, "/")` does: `//db//doc/` is `/db/doc`
    this.path = this.url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw badRequest('Invalid URL encoding');
        }
      });
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  q(name: string): string | null {
    return this.url.searchParams.get(name);
  }

  /** CouchDB's boolean query parsing: true/false only. */
  bool(name: string, dflt = false): boolean {
    const v = this.url.searchParams.get(name);
    if (v === null) return dflt;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new CouchHttpError(400, 'query_parse_error', `Invalid boolean parameter: ${JSON.stringify(v)}`);
  }

  int(name: string, dflt: number): number {
    const v = this.url.searchParams.get(name);
    if (v === null) return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new CouchHttpError(
        400,
        'query_parse_error',
        `Invalid value for positive integer: ${JSON.stringify(v)}`,
      );
    return n;
  }

  /** A JSON-valued query parameter (`key`, `startkey`, `open_revs`, `doc_ids`, …). */
  json(name: string): unknown {
    const v = this.url.searchParams.get(name);
    if (v === null) return undefined;
    try {
      return JSON.parse(v);
    } catch {
      throw new CouchHttpError(400, 'bad_request', `Invalid JSON in query parameter ${name}`);
    }
  }

  static isBoolParam(name: string): boolean {
    return BOOL_PARAMS.has(name);
  }

  /**
   * The request body, refused with 413 past `limit` (default `[chttpd] max_http_request_size`):
   * at once from Content-Length, else as soon as the bytes read pass it, so memory stays bounded by
   * the limit whatever a client sends. The connection is closed after such an answer rather than
   * drained. `tooLarge` names the error (e.g. CouchDB's `document_too_large`).
   */
  body(limit?: number, tooLarge?: () => CouchHttpError): Promise<Buffer> {
    this.bodyPromise ??= new Promise((resolve, reject) => {
      const httpMax = this.node.config.maxHttpRequestSize;
      const max = Math.min(limit ?? Number.POSITIVE_INFINITY, httpMax);
      const refuse = (close: boolean) => {
        const own = max < httpMax ? tooLarge?.() : undefined;
        const e = own ?? new CouchHttpError(413, 'too_large', 'the request entity is too large');
        return close
          ? new CouchHttpError(e.status, e.error, e.reason, { ...e.headers, Connection: 'close' })
          : e;
      };
      this.bodyLimit = { max, refuse: () => refuse(false) };
      const declared = Number(this.req.headers['content-length'] ?? 0);
      // refused from the headers: the connection closes, so the body is never read at all
      if (declared > max) return reject(refuse(true));
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      this.req.on('data', (c: Buffer) => {
        if (over) return;
        size += c.length;
        if (size > max) {
          // answered at once; the rest is read and dropped (closing now would reset the connection
          // before the client reads the answer), so memory stays bounded by the limit
          over = true;
          chunks.length = 0;
          reject(refuse(false));
          return;
        }
        chunks.push(c);
      });
      this.req.on('end', () => {
        if (!over) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      });
      this.req.on('error', reject);
    });
    return this.bodyPromise;
  }

  /**
   * Reads a JSON body (inflated first per `Content-Encoding`, body-encoding.ts) and decodes it whole
   * (json-text.ts); CouchDB answers 400 "invalid UTF-8 JSON" for anything unparsable.
   */
  async jsonBody(opts: { requireJsonType?: boolean } = {}): Promise<{ text: string; node: JsonNode }> {
    if (opts.requireJsonType) {
      const ct = this.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(ct))
        throw new CouchHttpError(415, 'bad_content_type', 'Content-Type must be application/json');
    }
    const raw = await this.body();
    const limit = this.bodyLimit as { max: number; refuse: () => CouchHttpError };
    const buf = await decodeJsonBody(raw, this.header('content-encoding'), limit.max, limit.refuse);
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      throw badRequest('invalid UTF-8 JSON');
    }
    return { text, node: scanRequestJson(text) };
  }

  /** A body that must be a JSON object (chttpd:json_body_obj). */
  async jsonObject<T = Record<string, unknown>>(): Promise<T> {
    const v = await this.jsonValue();
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw badRequest('Request body must be a JSON object');
    return v as T;
  }

  async jsonValue<T = unknown>(opts: { requireJsonType?: boolean } = {}): Promise<T> {
    const { text, node } = await this.jsonBody(opts);
    return toValue(text, node) as T;
  }
}
