/** couchmesh's CouchDB HTTP client: one `CouchClient` per node. */
export type { Authenticator, AuthState } from './auth.ts';
export { parseAuthCookie } from './auth.ts';
export type {
  ChangeRow,
  ChangesEnd,
  ChangesOptions,
  ChangesResponse,
  ChangesStreamOptions,
  Seq,
} from './changes.ts';
export { ChangesFeed } from './changes.ts';
export { CouchClient } from './client.ts';
export type { CouchErrorContext, CouchErrorInit } from './errors.ts';
export { CouchError, CouchErrorCode, isCouchError } from './errors.ts';
export type { ResponseEvent, RetryEvent } from './events.ts';
export type { Capabilities, Flavour, ServerInfo } from './info.ts';
export { parseServerInfo } from './info.ts';
export type { MemberFailoverEvent } from './members.ts';
export type { AuthOptions, BackoffOptions, CouchClientOptions, TlsOptions } from './options.ts';
export type { CallOptions, CouchStreamResponse, HttpMethod, RequestOptions } from './response.ts';
export { CouchResponse } from './response.ts';
export type { RetryPolicy } from './retry.ts';
export { backoffDelay, isIdempotent, isRetryableStatus, parseRetryAfter } from './retry.ts';
export type { Query, QueryValue } from './url.ts';
export { dbPath, docPath, encodeQuery } from './url.ts';
