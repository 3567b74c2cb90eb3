import { createServer, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type Clock, systemClock } from '../core/clock.ts';
import { type Destination, formatDestination, isAllowed, parseAuthority } from './allow.ts';
import { RelayCounters } from './counters.ts';
import { type Dialed, dial, MemberGroups } from './members.ts';
import { relayMetrics } from './metrics.ts';

export interface RelayOptions {
  /** 0: any free port */
  port: number;
  /** bind address; default 127.0.0.1 (a relay reachable by everyone must be asked for) */
  host?: string;
  /** the only destinations forwarded to; empty = refuse all */
  allow: readonly Destination[];
  /** the shutdown grace timer's clock (default the system clock) */
  clock?: Clock;
  /** one line per connection: method, destination, client, outcome, bytes. Never headers or paths. */
  log?: (line: string) => void;
  /**
   * answer an origin-form `GET /metrics` (a request to the relay itself, never a proxy request) with
   * the counters in the Prometheus text format (metrics.ts); off: such a request is refused (400)
   */
  metrics?: boolean;
  /**
   * members-only clusters (mesh.yaml `via_relay`, members.ts): a request for any member of a group
   * goes to the first live member (sticky to the last good one); the members are allowed destinations
   */
  members?: readonly (readonly Destination[])[];
  /** a member that does not accept a connection within this counts as down (default 5 s) */
  connectTimeoutMs?: number;
}

export interface Relay {
  readonly url: string;
  readonly port: number;
  readonly counters: RelayCounters;
  /**
   * Stops accepting and ends open tunnels; forwarded requests in flight get `graceMs` (default 5 s,
   * on the injected clock) to finish; then every socket is closed.
   */
  close(graceMs?: number): Promise<void>;
}

// hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own credentials never go to the destination
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const REFUSED_HINT = "not on this relay's allow list (couchmesh relay --allow HOST:PORT,...)";

/**
 * An HTTP forward proxy for replication traffic (what CouchDB's `source_proxy` / `target_proxy`
 * point at): CONNECT opens a byte tunnel to an https endpoint, so TLS (client certificates
 * included) stays end to end and the relay sees only ciphertext; a plain-http endpoint is reached
 * with absolute-form requests (`GET http://host:port/db/_changes`), forwarded as they come.
 * Destinations off the allow list get 403 before any byte is sent to them.
 */
export function startRelay(o: RelayOptions): Promise<Relay> {
  const counters = new RelayCounters();
  const clock = o.clock ?? systemClock;
  const log = o.log ?? (() => {});
  const tunnels = new Set<Socket>();
  const agent = new HttpAgent({ keepAlive: true });
  const server = createServer();
  const metrics = o.metrics ? relayMetrics(counters) : undefined;
  const groups = new MemberGroups(o.members ?? []);
  const allowed = (d: Destination) => isAllowed(o.allow, d) || groups.has(d);
  /** a connection to `dest`, or to a live member of its group; the members skipped are logged */
  const dialFor = async (dest: Destination, via: string): Promise<Dialed> => {
    const d = await dial(groups.candidates(dest), o.connectTimeoutMs);
    groups.good(dest, d.member);
    if (d.skipped.length)
      log(
        `relay: ${via} ${formatDestination(dest)}: member(s) ${d.skipped.map(formatDestination).join(', ')} refused, sent to ${formatDestination(d.member)}`,
      );
    return d;
  };

  const refuse = (what: string, client: string, dest: string) => {
    counters.refused++;
    log(`relay: refused ${what} ${dest} from ${client}: ${REFUSED_HINT}`);
  };

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const from = client.remoteAddress ?? '?';
    const dest = parseAuthority(req.url ?? '');
    client.on('error', () => {});
    if (!dest || !allowed(dest)) {
      refuse('CONNECT', from, dest ? formatDestination(dest) : 'a malformed authority');
      client.end(`HTTP/1.1 ${dest ? '403 Forbidden' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const name = formatDestination(dest);
    counters.opened();
    tunnels.add(client);
    let upstream: Socket | undefined;
    let up = head.length;
    let down = 0;
    counters.bytesUp += head.length;
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      counters.closed();
      tunnels.delete(client);
      if (upstream) tunnels.delete(upstream);
      client.destroy();
      upstream?.destroy();
      log(`relay: CONNECT ${name} from ${from} ${why} (${up} bytes up, ${down} down)`);
    };
    client.on('close', () => finish('closed'));
    dialFor(dest, 'CONNECT').then(
      ({ socket }) => {
        if (done) return void socket.destroy();
        upstream = socket;
        tunnels.add(socket);
        log(`relay: CONNECT ${name} from ${from} open`);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) socket.write(head);
        client.on('data', (b: Buffer) => {
          up += b.length;
          counters.bytesUp += b.length;
        });
        socket.on('data', (b: Buffer) => {
          down += b.length;
          counters.bytesDown += b.length;
        });
        client.pipe(socket);
        socket.pipe(client);
        socket.on('error', (e: NodeJS.ErrnoException) => {
          counters.failed++;
          finish(`failed: ${e.code ?? 'error'}`);
        });
        socket.on('close', () => finish('closed'));
      },
      (e: NodeJS.ErrnoException) => {
        if (!done) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
        counters.failed++;
        finish(`failed: ${e.code ?? 'error'}`);
      },
    );
  });

  server.on('request', (req, res) => {
    const from = req.socket.remoteAddress ?? '?';
    // origin-form (`/metrics`, not `http://...`): addressed to the relay, so it is no proxy request
    if (metrics && req.method === 'GET' && req.url === '/metrics') {
      void metrics.text().then((text) => {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(text);
      });
      return;
    }
    let target: URL | undefined;
    try {
      target = /^http:\/\//i.test(req.url ?? '') ? new URL(req.url as string) : undefined;
    } catch {
      target = undefined;
    }
    if (!target) {
      counters.refused++;
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(
        'couchmesh relay is a forward proxy: send absolute-form http:// requests, or CONNECT for https\n',
      );
      return;
    }
    const dest = { host: target.hostname, port: Number(target.port || 80) };
    const name = formatDestination(dest);
    if (!allowed(dest)) {
      refuse(req.method ?? 'GET', from, name);
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`${name} is ${REFUSED_HINT}\n`);
      return;
    }
    counters.opened();
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP.has(k)));
    let up = 0;
    let down = 0;
    const failed = (e: NodeJS.ErrnoException) => {
      counters.failed++;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
      log(`relay: ${req.method} ${name} from ${from} failed: ${e.code ?? 'error'}`);
    };
    res.on('close', () => {
      counters.closed();
      log(`relay: ${req.method} ${name} from ${from} ${res.statusCode} (${up} bytes up, ${down} down)`);
    });
    // a cluster member: over a connection to the live member dialled for it (no pooling: the next
    // request dials again, so a member that died meanwhile is skipped); else the keep-alive agent
    const forward = (conn?: Dialed) => {
      const via = conn
        ? {
            headers: { ...headers, host: formatDestination(conn.member) },
            createConnection: () => conn.socket,
          }
        : { headers, agent };
      const fwd = httpRequest(
        {
          host: dest.host,
          port: dest.port,
          method: req.method,
          path: target.pathname + target.search,
          ...via,
        },
        (up2) => {
          res.writeHead(up2.statusCode ?? 502, up2.statusMessage, filterHeaders(up2.headers));
          up2.on('data', (b: Buffer) => {
            down += b.length;
            counters.bytesDown += b.length;
          });
          up2.pipe(res);
        },
      );
      fwd.on('error', failed);
      // counted here, not before: a 'data' listener starts the flow, and the body must wait for the dial
      req.on('data', (b: Buffer) => {
        up += b.length;
        counters.bytesUp += b.length;
      });
      req.pipe(fwd);
    };
    if (groups.has(dest)) dialFor(dest, req.method ?? 'GET').then(forward, failed);
    else forward();
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address() as { port: number; address: string };
      const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}`,
        port: addr.port,
        counters,
        close: async (graceMs = 5_000) => {
          // graceful: stop accepting, end idle keep-alive connections and the tunnels (their clients
          // see EOF and reconnect elsewhere), let forwarded requests in flight finish within graceMs
          const closed = new Promise<void>((r) => server.close(() => r()));
          server.closeIdleConnections();
          for (const s of tunnels) s.end();
          const drained = new Promise<void>((r) => {
            if (counters.active <= 0) return r();
            counters.onIdle = r;
          });
          const grace = new AbortController();
          await Promise.race([drained, clock.sleep(graceMs, grace.signal).catch(() => {})]);
          grace.abort();
          for (const s of tunnels) s.destroy();
          server.closeAllConnections();
          agent.destroy();
          await closed;
        },
      });
    });
  });
}

function filterHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}
