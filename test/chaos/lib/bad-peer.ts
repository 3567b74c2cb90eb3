// An HTTP-level fault front for the chaos suite (VERIFY-CHAOS #16): a reverse proxy on 127.0.0.1 in
// front of one node that, while a fault holds, answers a share of the matching requests badly:
//  - garbage:     200 with a body that is not JSON (the request never reaches the node)
//  - wrong-shape: 200 with JSON of the opposite type (an object where CouchDB answers an array, an
//                 array where it answers an object; never reaches the node)
//  - truncate:    forwarded; the node's answer is cut after `bytes` body bytes (before its last byte
//                 at the latest) and the socket closed
//  - hang:        forwarded; after as many body bytes nothing more is sent, the socket stays open
//                 (until the client gives up or the fault is healed)
//  - throttle:    429 Too Many Requests with `Retry-After` (CouchDB's answer when its rate limit is hit)
// Every other request passes through untouched. src/relay/fault-proxy.ts degrades the TCP stream (a
// partition, latency, resets) but never the HTTP on top; this front is for what a broken or
// overloaded peer says.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Random, seededRandom } from '../../../src/core/random.ts';
import { listenLoopback } from '../../../src/relay/fault-proxy.ts';

export type PeerFaultMode = 'garbage' | 'wrong-shape' | 'truncate' | 'hang' | 'throttle';

export interface PeerFault {
  mode: PeerFaultMode;
  /** share of the matching requests faulted (seeded), 1 = all */
  share?: number;
  /** only requests whose `METHOD /path?query` matches are faulted */
  match?: RegExp;
  /** truncate / hang: body bytes sent before the cut (default 10) */
  bytes?: number;
  /** throttle: the Retry-After header, seconds (default 1) */
  retryAfterS?: number;
}

export interface BadPeerCounters {
  requests: number;
  forwarded: number;
  faulted: Record<PeerFaultMode, number>;
}

export interface BadPeer {
  readonly url: string;
  readonly port: number;
  readonly counters: BadPeerCounters;
  /** starts (or replaces) a fault */
  set(f: PeerFault): void;
  /** no fault from now on; hung responses are closed */
  heal(): void;
  close(): Promise<void>;
}

/** `METHOD /path?query` lines CouchDB answers with a JSON array: `_bulk_docs`, open_revs reads. */
const ARRAY_ANSWERS = /^\S+ [^?]*\/_bulk_docs(\?|$)|[?&]open_revs=/;

/** JSON of the type CouchDB does not answer `line` with: an object for an array, else an array. */
export function wrongShape(line: string): string {
  return ARRAY_ANSWERS.test(line) ? '{"unexpected":"an object where an array belongs"}' : '[["unexpected"]]';
}

export function startBadPeer(o: {
  target: { host: string; port: number };
  random?: Random;
}): Promise<BadPeer> {
  const random = o.random ?? seededRandom(1);
  let fault: PeerFault | undefined;
  const counters: BadPeerCounters = {
    requests: 0,
    forwarded: 0,
    faulted: { garbage: 0, 'wrong-shape': 0, truncate: 0, hang: 0, throttle: 0 },
  };
  const hung = new Set<Socket>();
  const sockets = new Set<Socket>();

  const faultFor = (line: string): PeerFault | undefined => {
    const f = fault;
    if (!f || (f.match && !f.match.test(line))) return undefined;
    // the draw happens only for matching requests, so the schedule depends on the seed and the traffic
    return random.float() < (f.share ?? 1) ? f : undefined;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    cut?: { mode: 'truncate' | 'hang'; bytes: number },
  ) => {
    counters.forwarded++;
    const up = request(
      { host: o.target.host, port: o.target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (!cut) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          return void answer.pipe(res);
        }
        // the whole answer first, so a short one is cut too: before its last byte at the latest
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.write(body.subarray(0, Math.max(0, Math.min(cut.bytes, body.length - 1))));
          res.flushHeaders();
          // the head and the first bytes are on the wire: now cut (truncate) or go silent (hang)
          if (cut.mode === 'truncate') setImmediate(() => res.socket?.destroy());
          else if (res.socket) hung.add(res.socket);
        });
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    counters.requests++;
    const line = `${req.method} ${req.url}`;
    const f = faultFor(line);
    if (!f) return forward(req, res);
    counters.faulted[f.mode]++;
    if (f.mode === 'truncate' || f.mode === 'hang')
      return forward(req, res, { mode: f.mode, bytes: f.bytes ?? 10 });
    req.resume(); // the request body is read and dropped: it never reaches the node
    req.on('end', () => {
      if (f.mode === 'throttle') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(f.retryAfterS ?? 1) });
        res.end(
          '{"error":"too_many_requests","reason":"You\'ve exceeded your rate limit allowance. Please try again later."}\n',
        );
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(f.mode === 'garbage' ? '<html>502 Bad Gateway</html>\n' : `${wrongShape(line)}\n`);
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      hung.delete(s);
    });
  });

  const heal = () => {
    fault = undefined;
    for (const s of hung) s.destroy();
    hung.clear();
  };

  return listenLoopback(server).then(({ port, url }) => ({
    port,
    url,
    counters,
    set: (f: PeerFault) => {
      fault = f;
    },
    heal,
    close: () => {
      heal();
      const done = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      return done;
    },
  }));
}
