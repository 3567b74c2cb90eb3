import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { CouchHttpError } from '../engine/errors.ts';
import { NodeState } from '../node-state.ts';
import type { NodeTlsOptions } from '../options.ts';
import { authenticate } from './auth.ts';
import { Ctx } from './context.ts';
import { RateLimiter } from './rate-limit.ts';
import { sendError } from './respond.ts';
import { routeDb } from './routes/db.ts';
import { routeServer } from './routes/server.ts';

export type Handler = (ctx: Ctx) => Promise<void> | void;

/**
 * The node's HTTP front: authentication, the optional rate limit, dispatch by first path segment,
 * and one error boundary that turns CouchHttpError into CouchDB's `{error, reason}` and anything
 * else into a logged 500 (a bug, never the client's fault).
 */
export function createNodeServer(node: NodeState, extraRoutes?: Map<string, Handler>): Server {
  const rate = node.options.maxRequestRate;
  const limiter = rate ? new RateLimiter(rate, () => node.clock.now()) : undefined;
  const onRequest = (req: Ctx['req'], res: Ctx['res']) => {
    const ctx = safeCtx(node, req, res);
    if (!ctx) return;
    if (node.logger.enabled('notice')) logRequest(ctx);
    void handle(ctx, limiter, extraRoutes).catch((e: unknown) => fail(ctx, e));
  };
  const tls = node.options.tls;
  const server: Server = tls
    ? createTlsServer({ keepAliveTimeout: 65_000, ...tlsServerOptions(tls) }, onRequest)
    : createServer({ keepAliveTimeout: 65_000 }, onRequest);
  // slow clients: headers within 70 s, the whole request within 5 min (a body trickled byte by byte
  // cannot hold a connection for ever), and a cap on open connections ([chttpd] server_options)
  server.headersTimeout = 70_000;
  server.requestTimeout = node.options.requestTimeoutMs ?? 300_000;
  server.maxConnections = node.options.maxConnections ?? 2048;
  // a request node:http cannot parse (e.g. a 20,000-character doc id overflows the header limit)
  // gets a CouchDB-shaped 400 instead of a reset connection
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
    const tooLong = err.code === 'HPE_HEADER_OVERFLOW';
    const body = JSON.stringify({
      error: 'bad_request',
      reason: tooLong ? 'the request line or headers are too long' : 'malformed HTTP request',
    });
    // an answer to HEAD has no body (RFC 9110 9.3.2): a client would read the body as the next response
    const head = failedMethod(err as { rawPacket?: Buffer; bytesParsed?: number }) === 'HEAD';
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body) + 1}\r\nConnection: close\r\n\r\n${head ? '' : `${body}\n`}`,
    );
  });
  return server;
}

/**
 * The method of the request node:http could not parse: the last request line (whole, or cut where the
 * parser stopped) before the error. A keep-alive packet may begin with the previous request's body.
 */
function failedMethod(err: { rawPacket?: Buffer; bytesParsed?: number }): string | undefined {
  const seen = err.rawPacket?.subarray(0, err.bytesParsed).toString('latin1') ?? '';
  const lines = [...seen.matchAll(/([A-Z]+) [^ \r\n]*(?: HTTP\/1\.[01]\r\n|$)/g)];
  return lines.at(-1)?.[1];
}

/**
 * node:tls options of the listener. With `requireClientCert`, as CouchDB's `[ssl]
 * verify_ssl_certificates = true, fail_if_no_peer_cert = true`: the handshake itself fails for a
 * client without a certificate signed by `ca` (no HTTP request is ever read from it).
 */
function tlsServerOptions(tls: NodeTlsOptions) {
  const mutual = tls.requireClientCert === true;
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    requestCert: mutual,
    rejectUnauthorized: mutual,
    minVersion: 'TLSv1.2' as const,
  };
}

function safeCtx(node: NodeState, req: Ctx['req'], res: Ctx['res']): Ctx | undefined {
  try {
    return new Ctx(req, res, node);
  } catch (e) {
    // a request target no URL parser takes is the client's mistake: CouchDB's shape, never a bare 400
    sendError(
      res,
      e instanceof CouchHttpError ? e : new CouchHttpError(400, 'bad_request', 'malformed request URL'),
    );
    return undefined;
  }
}

async function handle(
  ctx: Ctx,
  limiter: RateLimiter | undefined,
  extra?: Map<string, Handler>,
): Promise<void> {
  if (limiter) {
    const wait = limiter.take();
    if (wait > 0)
      throw new CouchHttpError(429, 'too_many_requests', 'You have exceeded your request rate', {
        'Retry-After': String(Math.ceil(wait / 1000)),
      });
  }
  ctx.user = authenticate(ctx);
  const first = ctx.path[0];
  // a system database (`_users`, `_replicator`, `_global_changes`) that does not exist is still a
  // database: CouchDB answers 404 `Database does not exist.` for its docs and creates it on PUT
  if (first === undefined || (first.startsWith('_') && !ctx.node.get(first) && !NodeState.validName(first))) {
    const h = first ? extra?.get(first) : undefined;
    if (h) return h(ctx);
    return routeServer(ctx);
  }
  return routeDb(ctx);
}

function fail(ctx: Ctx, e: unknown): void {
  const res = ctx.res;
  if (e instanceof CouchHttpError) {
    if (!res.headersSent) sendError(res, e);
    else res.destroy();
    return;
  }
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  ctx.node.logger.log('error', `chttpd_${ctx.method} ${ctx.url.pathname} 500 internal error: ${msg}`);
  if (!res.headersSent) sendError(res, new CouchHttpError(500, 'unknown_error', 'internal error'));
  else res.destroy();
}

/** chttpd's request line: `host peer user METHOD /path status ok ms` (the path only, never a query). */
function logRequest(ctx: Ctx): void {
  const t0 = performance.now();
  ctx.res.once('finish', () => {
    const ms = Math.round(performance.now() - t0);
    const host = ctx.header('host') ?? '-';
    const peer = ctx.req.socket.remoteAddress ?? '-';
    ctx.node.logger.log(
      'notice',
      `${host} ${peer} ${ctx.user.name ?? 'undefined'} ${ctx.method} ${ctx.url.pathname} ${ctx.res.statusCode} ok ${ms}`,
    );
  });
}
