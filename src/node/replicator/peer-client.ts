import { createHash } from 'node:crypto';
import { CouchClient } from '../../couch/client.ts';
import { CouchErrorCode, isCouchError } from '../../couch/errors.ts';
import { isRetryableStatus } from '../../couch/retry.ts';
import type { JobContext } from './context.ts';
import { type Peer, type PeerRequest, type PeerResponse, RepCrash } from './peer.ts';
import type { RepEndpoint, RepSpec } from './rep-doc.ts';
import type { SharedPool } from './shared-pool.ts';
import type { ReplicatorTlsSettings } from './tls.ts';

const TLS_SETTINGS =
  " (this node's replicator: [replicator] cert_file, key_file, ssl_trusted_certificates_file; by default the node's own --tls-* files)";

/** An endpoint whose TLS settings cannot be used: every exchange crashes the job with that reason. */
function unusablePeer(url: string, crash: RepCrash): Peer {
  const fail = () => Promise.reject(crash);
  return { url, json: fail, raw: fail, welcome: fail, close: () => Promise.resolve() };
}

/**
 * A replication endpoint over couchmesh's CouchDB client, with the replicator's HTTP semantics
 * (couch_replicator_httpc): cookie session (POST /_session, as CouchDB's replicator logs in),
 * `retries_per_request` with 250 ms doubling for network errors and 5xx, `connection_timeout`,
 * `http_connections`, and CouchDB's 429 rate limiter (AIMD, apart from the retries) that crashes the
 * job with `max_backoff` when its interval reaches `max_backoff_interval_msec`. An https:// endpoint
 * gets the node's replicator TLS settings (client certificate, trusted CAs: see tls.ts); a TLS
 * failure crashes the job at once with a `tls_error` reason (retrying a refused handshake cannot help).
 */
export function openPeer(ctx: JobContext, ep: RepEndpoint, spec: RepSpec, signal: AbortSignal): Peer {
  const u = new URL(ep.url);
  let tls: ReplicatorTlsSettings | undefined;
  if (u.protocol === 'https:')
    try {
      tls = ctx.tls();
    } catch (e) {
      if (e instanceof RepCrash) return unusablePeer(ep.url, e);
      throw e;
    }
  // socks5 parses (CouchDB accepts it in valid_proxy_protocols) but this replicator speaks only to
  // http(s) proxies: the job crashes with a reason naming it rather than bypassing the proxy
  if (ep.proxy && !/^https?:/.test(ep.proxy))
    return unusablePeer(
      ep.url,
      new RepCrash(
        `proxy_unsupported: ${new URL(ep.proxy).protocol.replace(':', '')} proxies are not supported by this node's replicator (use an http or https proxy)`,
      ),
    );
  const segments = u.pathname.replace(/\/+$/, '').split('/');
  const dbSegment = segments.pop() ?? '';
  const base = `${u.origin}${segments.join('/')}`;
  const counters = ctx.counters;
  // jobs talking to the same server as the same user share one pooled client (one pool per
  // endpoint, not per job: ten jobs pulling into this node use one connection pool to it)
  const key = JSON.stringify([
    base,
    ep.auth?.username ?? null,
    ep.auth ? createHash('sha256').update(ep.auth.password).digest('hex') : null,
    spec.connectionTimeout,
    Math.max(2, spec.httpConnections),
    tls?.key ?? null,
    ep.proxy ?? null,
  ]);
  const client = (ctx.clients as SharedPool<CouchClient>).acquire(key, (): CouchClient => {
    counters.inc('connection.creates');
    return new CouchClient({
      url: base,
      ...(ep.auth
        ? { auth: { cookie: true as const, username: ep.auth.username, password: ep.auth.password } }
        : {}),
      ...(tls ? { tls: tls.tls } : {}),
      // through a proxy: plain http in absolute form, https in a CONNECT tunnel (TLS stays end to end,
      // the client certificate included), as ibrowse does for CouchDB's replicator
      ...(ep.proxy ? { proxy: ep.proxy, proxyTunnel: false } : {}),
      timeoutMs: spec.connectionTimeout,
      connections: Math.max(2, spec.httpConnections),
      retries: 0,
      clock: ctx.clock,
      random: ctx.random,
      userAgent: 'CouchDB-Replicator/3.5.0 (couchmesh)',
      onResponse: (e) => {
        counters.inc('requests');
        counters.inc('connection.acquires');
        counters.inc('connection.releases');
        counters.inc(e.status < 500 ? 'responses.success' : 'responses.failure');
      },
    });
  });
  const dbPath = `/${dbSegment}`;
  // couch_replicator_rate_limiter: AIMD interval per endpoint, 20 ms base, x1.2 per 429, -20 ms per
  // success; reaching the cap (`max_backoff_interval_msec`, CouchDB: 25000) crashes with max_backoff
  let interval = 0;

  async function send(method: string, path: string, req: PeerRequest & { body?: unknown }) {
    // the client does not retry by itself: a 429 must not use up `retries_per_request` (CouchDB keeps
    // them apart), and every replicator request is safe to resend (`_bulk_docs` is new_edits=false)
    let retry = 0;
    for (;;) {
      if (interval > 0) await ctx.clock.sleep(interval, signal);
      let res: Awaited<ReturnType<CouchClient['request']>> | undefined;
      let failure: string | undefined;
      try {
        res = await client.request({
          method: method as 'GET',
          path: path === '/' ? '/' : path === '' ? `${dbPath}/` : `${dbPath}/${path}`,
          query: req.query,
          headers: { ...ep.headers, ...req.headers },
          body: req.body as object,
          signal,
          retries: 0,
        });
      } catch (e) {
        if (signal.aborted) throw e;
        counters.inc('responses.failure');
        if (isCouchError(e) && e.code === CouchErrorCode.AUTH)
          throw new RepCrash(`unauthorized: unauthorized to access or create database ${ep.url}`);
        if (isCouchError(e) && e.code === CouchErrorCode.FORBIDDEN)
          throw new RepCrash(`forbidden: unauthorized to access or create database ${ep.url}`);
        if (isCouchError(e) && e.code === CouchErrorCode.TLS)
          throw new RepCrash(`tls_error: ${e.message}${TLS_SETTINGS}`);
        failure = isCouchError(e) ? e.message : String(e);
        // a 429 to the cookie login (POST /_session, made by the client before the request) is the
        // same rate limit as any other 429: back off, do not crash at once (found by test/chaos's
        // wall of 429s: `http_request_failed: POST /_session -> 429` beside `max_backoff`)
        if (isCouchError(e) && e.status === 429) res = { status: 429 } as NonNullable<typeof res>;
      }
      if (res?.status === 429) {
        interval = Math.min(Math.round(Math.max(interval, 20) * 1.2), ctx.maxBackoffInterval());
        if (interval >= ctx.maxBackoffInterval()) throw new RepCrash('max_backoff');
        continue;
      }
      if (res && !isRetryableStatus(res.status)) {
        if (interval > 0) interval = Math.max(0, interval - 20);
        return res as typeof res & { body: Buffer };
      }
      // network error, timeout or 5xx: `retries_per_request` with 250 ms doubling (capped at 5 min)
      if (retry >= spec.retriesPerRequest) {
        if (res) return res as typeof res & { body: Buffer };
        throw new RepCrash(`http_request_failed: ${failure}`);
      }
      await ctx.clock.sleep(Math.min(250 * 2 ** retry, 300_000), signal);
      retry++;
    }
  }

  return {
    url: ep.url,
    async json<T>(method: string, path: string, req: PeerRequest = {}): Promise<PeerResponse<T>> {
      const res = await send(method, path, req);
      const text = res.body.toString('utf8');
      let body: unknown;
      try {
        body = text.trim() ? JSON.parse(text) : undefined;
      } catch {
        throw new RepCrash(
          `bad_response: ${method} ${ep.url}${path} answered ${res.status} with a body that is not JSON`,
        );
      }
      return { status: res.status, headers: res.headers as Record<string, string>, body: body as T };
    },
    async raw(method: string, path: string, req: PeerRequest & { body?: Buffer | string } = {}) {
      const res = await send(method, path, req);
      return { status: res.status, headers: res.headers as Record<string, string>, body: res.body };
    },
    async welcome() {
      const res = await send('GET', '/', {});
      let body: Record<string, unknown> | undefined;
      try {
        body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = undefined;
      }
      return { status: res.status, headers: res.headers as Record<string, string>, body };
    },
    close: () => ctx.clients.release(key),
  };
}
