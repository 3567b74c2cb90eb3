import { CouchClient } from '../../couch/client.ts';
import { isCouchError } from '../../couch/errors.ts';
import { type Peer, type PeerRequest, type PeerResponse, RepCrash } from './peer.ts';
import type { RepEndpoint, RepSpec } from './rep-doc.ts';
import type { ReplicatorService } from './service.ts';

/**
 * A replication endpoint over couchmesh's CouchDB client, with the replicator's HTTP semantics
 * (couch_replicator_httpc): cookie session (POST /_session, as CouchDB's replicator logs in),
 * `retries_per_request` with 250 ms doubling, `connection_timeout`, `http_connections`, and a
 * 429 back-off that doubles per consecutive 429 and crashes the job with `max_backoff` at its cap.
 */
export function openPeer(svc: ReplicatorService, ep: RepEndpoint, spec: RepSpec, signal: AbortSignal): Peer {
  const u = new URL(ep.url);
  const segments = u.pathname.replace(/\/+$/, '').split('/');
  const dbSegment = segments.pop() ?? '';
  const base = `${u.origin}${segments.join('/')}`;
  const counters = svc.counters;
  const client = new CouchClient({
    url: base,
    ...(ep.auth
      ? { auth: { cookie: true as const, username: ep.auth.username, password: ep.auth.password } }
      : {}),
    timeoutMs: spec.connectionTimeout,
    connections: Math.max(2, spec.httpConnections),
    retries: spec.retriesPerRequest,
    backoff: { baseMs: 250, factor: 2 },
    clock: svc.clock,
    random: svc.node.random,
    userAgent: 'CouchDB-Replicator/3.5.0 (couchmesh)',
    onResponse: (e) => {
      counters.inc('requests');
      counters.inc(e.status < 500 ? 'responses.success' : 'responses.failure');
    },
  });
  const dbPath = `/${dbSegment}`;
  let backoff = 0;

  async function send(method: string, path: string, req: PeerRequest & { body?: unknown }) {
    for (;;) {
      let res: Awaited<ReturnType<CouchClient['request']>>;
      try {
        res = await client.request({
          method: method as 'GET',
          path: path === '' ? `${dbPath}/` : `${dbPath}/${path}`,
          query: req.query,
          headers: { ...ep.headers, ...req.headers },
          body: req.body as object,
          signal,
          ...(req.idempotent === undefined ? {} : { idempotent: req.idempotent }),
        });
      } catch (e) {
        if (signal.aborted) throw e;
        counters.inc('responses.failure');
        const what = isCouchError(e) ? e.message : String(e);
        throw new RepCrash(`http_request_failed: ${what}`);
      }
      if (res.status !== 429) {
        if (backoff > 0) backoff = Math.floor(backoff / 2);
        return res as typeof res & { body: Buffer };
      }
      // rate limited: back off harder each time; at the cap the job crashes (CouchDB's max_backoff)
      backoff = backoff ? backoff * 2 : 250;
      if (backoff >= svc.maxBackoffInterval()) throw new RepCrash('max_backoff');
      await svc.clock.sleep(backoff, signal);
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
    close: () => client.close(),
  };
}
