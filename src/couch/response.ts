import type { Readable } from 'node:stream';
import { CouchError, CouchErrorCode, type CouchErrorContext } from './errors.ts';
import type { Headers } from './transport.ts';
import type { Query } from './url.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'COPY' | 'OPTIONS';

/** The low-level request contract: `client.request(options)`. */
export interface RequestOptions {
  /** Default GET. */
  method?: HttpMethod;
  /** Path below the node URL, already encoded (see `docPath`/`dbPath`), starting with '/'. */
  path: string;
  query?: Query;
  /** Extra headers; they override the client's defaults (Accept, Content-Type, auth). */
  headers?: Record<string, string>;
  /** A string or Buffer is sent as-is; any other value is sent as JSON. */
  body?: string | Buffer | Uint8Array | object;
  signal?: AbortSignal;
  /**
   * May the request be resent? Default: by method (GET/HEAD/PUT/DELETE yes, POST no) and for read-only
   * POST endpoints (_revs_diff, _bulk_get, _all_docs, _changes, _find). Pass true for POSTs you know to
   * be idempotent (e.g. `_bulk_docs` with `new_edits:false`).
   */
  idempotent?: boolean;
  /** Resolve at the headers with the body as a stream (feeds, attachments) instead of buffering it. */
  stream?: boolean;
  /** Headers timeout (and body idle timeout) of this request; default the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Body idle timeout of this request; 0 disables it. Default `timeoutMs`. */
  bodyTimeoutMs?: number;
  /** Retries of this request; default the client's `retries`. */
  retries?: number;
}

/** Options of the JSON helpers (`get`, `put`, `post`, `delete`, `head`). */
export type CallOptions = Pick<RequestOptions, 'headers' | 'signal' | 'idempotent' | 'timeoutMs' | 'retries'>;

interface ResponseBase {
  status: number;
  headers: Headers;
  /** How many times the request was sent (1 = no retry). */
  attempts: number;
}

/** A response with a body as a stream (`stream: true`): read it, or `body.destroy()` it. */
export interface CouchStreamResponse extends ResponseBase {
  body: Readable;
}

/** A buffered response. Non-2xx answers are returned, not thrown, at this level. */
export class CouchResponse implements ResponseBase {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: Buffer,
    readonly attempts: number,
    private readonly ctx: CouchErrorContext,
  ) {}

  /** The URL that answered: the node's, or the member's of a cluster (mesh.yaml `members:`). */
  get node(): string {
    return this.ctx.node;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): string {
    return this.body.toString('utf8');
  }

  /** The body parsed as JSON (`undefined` for an empty body); E_COUCH_PROTOCOL when it is not JSON. */
  json<T = unknown>(): T {
    const text = this.text();
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      const { node, method, path } = this.ctx;
      throw new CouchError(
        CouchErrorCode.PROTOCOL,
        `${method} ${node}${path} -> ${this.status}: the body is not JSON`,
        { ...this.ctx, status: this.status, attempts: this.attempts, cause: e },
      );
    }
  }

  /** The body as text (a Buffer would serialise as a byte array). */
  toJSON(): Record<string, unknown> {
    return { status: this.status, headers: this.headers, attempts: this.attempts, body: this.text() };
  }
}
