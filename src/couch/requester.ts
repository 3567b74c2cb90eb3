// What the client's helpers (server info and capability probes, `_changes`) need of a client: its URL
// and its request methods. CouchClient implements it; the helpers name this interface instead of the
// class, so client.ts may use them without an import cycle.
import type { CallOptions, CouchResponse, CouchStreamResponse, RequestOptions } from './response.ts';
import type { Query } from './url.ts';

export interface CouchRequester {
  /** The node's base URL, without credentials. */
  readonly url: string;
  request(options: RequestOptions & { stream: true }): Promise<CouchStreamResponse>;
  request(options: RequestOptions & { stream?: false }): Promise<CouchResponse>;
  /** GET, parsed JSON; CouchError on non-2xx. */
  get<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<T>;
  /** POST, parsed JSON; CouchError on non-2xx. */
  post<T = unknown>(path: string, body?: unknown, query?: Query, opts?: CallOptions): Promise<T>;
}
