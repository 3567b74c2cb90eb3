import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { CouchError, CouchErrorCode, type CouchErrorContext } from './errors.ts';
import { abortedError } from './retry.ts';
import { tlsReason } from './tls-reason.ts';

const tlsFix = (code: string) => {
  const r = tlsReason(code);
  return r ? `: ${r}` : '';
};

export type Headers = Record<string, string | string[] | undefined>;

/** One HTTP exchange, as the transport sends it. */
export interface Exchange {
  origin: string;
  method: string;
  /** Full request target: prefix + path + query. */
  target: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  signal: AbortSignal | undefined;
  headersTimeoutMs: number;
  /** Idle time between body chunks; 0 disables it (a feed without heartbeats). */
  bodyTimeoutMs: number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Readable & { dump(opts?: { limit: number }): Promise<void> };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const CLOSED_CODES = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);
// UNABLE_TO_VERIFY_LEAF_SIGNATURE (a certificate from an untrusted CA) names no CERT or SSL
const TLS_CODE = /CERT|^UNABLE_TO_VERIFY_|^ERR_TLS_|^ERR_SSL_|^EPROTO$|SSL/;

function errorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof err?.code === 'string') return err.code;
  // happy-eyeballs connects fail with an AggregateError of per-address errors
  if (Array.isArray(err?.errors)) return errorCode(err.errors[0]);
  return undefined;
}

/**
 * Maps a failure of undici or the socket to a CouchError. Only the code and undici's own message are
 * kept (the original error stays as `cause`); request headers never reach an error.
 */
export function networkError(
  e: unknown,
  ctx: CouchErrorContext,
  signal: AbortSignal | undefined,
  clientClosed: boolean,
): CouchError {
  if (e instanceof CouchError) return e;
  if (signal?.aborted) return abortedError(ctx, signal);
  const code = errorCode(e) ?? 'unknown';
  const where = `${ctx.method} ${ctx.node}${ctx.path}`;
  if (TIMEOUT_CODES.has(code))
    return new CouchError(CouchErrorCode.TIMEOUT, `${where}: timed out (${code})`, {
      ...ctx,
      cause: e,
      hint: 'the node is slow or unreachable; check it, or raise timeoutMs',
    });
  if (CLOSED_CODES.has(code) && clientClosed)
    return new CouchError(CouchErrorCode.CLOSED, `${where}: the client is closed`, { ...ctx, cause: e });
  if (TLS_CODE.test(code))
    return new CouchError(CouchErrorCode.TLS, `${where}: TLS handshake failed (${code})${tlsFix(code)}`, {
      ...ctx,
      cause: e,
      hint: "check the node's certificate and the client tls options (ca, servername, rejectUnauthorized)",
    });
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE')
    return new CouchError(CouchErrorCode.OPTION, `${where}: invalid request (${code})`, { ...ctx, cause: e });
  return new CouchError(CouchErrorCode.UNREACHABLE, `${where}: node unreachable (${code})`, {
    ...ctx,
    cause: e,
    hint: 'check that the node is running and that the URL (host, port, scheme) and proxy are right',
  });
}

/** Sends one request and resolves at the response headers; the body is left to the caller. */
export async function send(
  dispatcher: Dispatcher,
  x: Exchange,
  ctx: CouchErrorContext,
  clientClosed: () => boolean,
): Promise<RawResponse> {
  try {
    const res = await dispatcher.request({
      origin: x.origin,
      method: x.method as Dispatcher.HttpMethod,
      path: x.target,
      headers: x.headers,
      body: x.body,
      signal: x.signal,
      headersTimeout: x.headersTimeoutMs,
      bodyTimeout: x.bodyTimeoutMs,
    });
    return { status: res.statusCode, headers: res.headers as Headers, body: res.body as RawResponse['body'] };
  } catch (e) {
    throw networkError(e, ctx, x.signal, clientClosed());
  }
}

/** Reads a whole body, mapping a mid-body failure (reset, body timeout, abort) like a send failure. */
export async function readAll(
  res: RawResponse,
  ctx: CouchErrorContext,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (e) {
    throw networkError(e, ctx, signal, false);
  }
}

/** Throws away a body we will not read, so its connection goes back to the pool. */
export async function discard(res: RawResponse): Promise<void> {
  await res.body.dump({ limit: 1 << 20 }).catch(() => undefined);
}

/** Encodes a request body and picks its default content type. Objects are sent as JSON. */
export function encodeBody(body: unknown): { data: string | Buffer | undefined; contentType?: string } {
  if (body === undefined) return { data: undefined };
  if (typeof body === 'string') return { data: body, contentType: 'application/json' };
  if (Buffer.isBuffer(body)) return { data: body, contentType: 'application/octet-stream' };
  if (body instanceof Uint8Array)
    return {
      data: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      contentType: 'application/octet-stream',
    };
  return { data: JSON.stringify(body), contentType: 'application/json' };
}

/** First value of a header (undici gives arrays for repeated headers such as set-cookie). */
export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
