// The fleet simulator: ONE process answering CouchDB 3.5.0's telemetry endpoints for many simulated
// nodes, one loopback port each (fleet-sim-routes.ts), from a state that advances with time
// (fleet-sim-state.ts). Not a CouchDB and not the embedded node (src/node): nothing is stored,
// nothing replicates; it lets the poller and the controller be measured against 1,000 nodes.
//
// Two ways to serve many ports: `shared` (default), one http.Server fed by a plain net listener per
// port (the node is the socket's local port), or `per-port`, one http.Server per node. Measured here
// for 1,000 ports: shared listens in ~0.1 s with ~8.5 MiB more RSS, per-port in ~0.15-0.25 s with
// ~10 MiB; serving 3,000 keep-alive requests cost the same in both (~2.2 s CPU, client included).
//
// File descriptors: one per listening port plus one per open connection (the poller keeps up to
// ~3 per node while it polls it), so 1,000 nodes need `ulimit -n` >= ~4,100 for the simulator
// (and ~3,100 for the poller); `fdLimit()` reads the soft limit from /proc so callers can warn.
//
// Time: answers are computed at `now()`: the wall clock, or the time set with `setNow` (in process)
// or `PUT /_sim/clock {"now": ms}` on the control port, so a poller on a ManualClock sees the fleet
// at the time it believes it is. A jump of more than 4 s closes the idle keep-alive connections, as
// the poller's own keep-alive timeout would have on a real 30 s cadence.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { FleetAnswers } from './fleet-sim-answers.ts';
import { type FleetMesh, type FleetShape, fleetMesh, fleetMeshYaml, nodeName } from './fleet-sim-mesh.ts';
import { answer } from './fleet-sim-routes.ts';
import { loadSamples } from './fleet-sim-samples.ts';
import { FleetModel, type SimNode } from './fleet-sim-state.ts';

export interface FleetSimOptions extends FleetShape {
  /** fraction of directions whose job keeps crashing (default 0) */
  crashing?: number;
  /** fraction of directions whose `_replicator` doc is absent (default 0) */
  missing?: number;
  server?: 'shared' | 'per-port';
  host?: string;
  /** one node answers as a CouchDB cluster of this many members (fleet-sim-cluster.ts; default: none) */
  clusterNodes?: number;
  /** ... which node (default n1) */
  clusterNode?: string;
}

export interface FleetSim {
  urls: string[];
  /** `GET /_sim`, `GET /_sim/mesh.yaml`, `PUT /_sim/clock`, `GET /_sim/stats` */
  controlUrl: string;
  mesh: FleetMesh;
  model: FleetModel;
  now(): number;
  /** answer as of `ms` from now on; null: the wall clock again */
  setNow(ms: number | null): void;
  /** requests answered, in total and by route */
  stats(): { requests: number; byRoute: Record<string, number> };
  close(): Promise<void>;
}

/** a clock jump longer than the poller's keep-alive (src/couch/dispatcher.ts: 4 s) drops idle connections */
const IDLE_CLOSE_MS = 4_000;

const HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'must-revalidate',
  server: 'CouchDB/3.5.0 (Erlang OTP/26)',
};

export async function startFleetSim(o: FleetSimOptions): Promise<FleetSim> {
  const host = o.host ?? '127.0.0.1';
  let fixed: number | null = null;
  const now = () => fixed ?? Date.now();
  const counts: Record<string, number> = {};
  let requests = 0;
  const byPort = new Map<number, SimNode>();
  let answers: FleetAnswers | undefined;

  const serve = (node: SimNode | undefined, req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (!node || !answers) return send(res, 503, { error: 'unavailable', reason: 'starting' });
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts.length === 1 && parts[0] === '') parts.length = 0;
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(res, 400, { error: 'bad_request', reason: 'invalid UTF-8 JSON' });
    }
    const a = answer(answers, node, now(), {
      method: req.method ?? 'GET',
      parts,
      query: url.searchParams,
      body,
    });
    requests++;
    counts[a.route] = (counts[a.route] ?? 0) + 1;
    send(res, a.status, a.body, req.method === 'HEAD');
  };
  const handler =
    (pick: (req: IncomingMessage) => SimNode | undefined) => (req: IncomingMessage, res: ServerResponse) =>
      readBody(req).then((raw) => serve(pick(req), req, res, raw));

  const n = o.nodes;
  const closers: Array<Server | NetServer> = [];
  const ports: number[] = [];
  const shared =
    o.server !== 'per-port'
      ? createServer(handler((req) => byPort.get(req.socket.localPort ?? 0)))
      : undefined;
  if (shared) shared.keepAliveTimeout = 10_000;
  for (let i = 0; i < n; i++) {
    const idx = i;
    const srv = shared
      ? createNetServer((sock) => shared.emit('connection', sock))
      : perPort(handler(() => byPort.get(ports[idx] ?? 0)));
    await listen(srv, host);
    closers.push(srv);
    ports.push((srv.address() as { port: number }).port);
  }
  const urls = ports.map((p) => `http://${host}:${p}`);
  const mesh = fleetMesh(fleetMeshYaml(urls, o));
  const model = new FleetModel(mesh, { crashing: o.crashing ?? 0, missing: o.missing ?? 0 }, Date.now());
  const cluster = o.clusterNodes
    ? { node: o.clusterNode ?? nodeName(0), members: o.clusterNodes }
    : undefined;
  answers = new FleetAnswers(model, loadSamples(), cluster);
  for (let i = 0; i < n; i++) byPort.set(ports[i] as number, model.nodes.get(nodeName(i)) as SimNode);

  const stats = () => ({ requests, byRoute: { ...counts } });
  const httpServers = (shared ? [shared] : [...closers]) as Server[];
  const setNow = (ms: number | null) => {
    // a client idle longer than its keep-alive (undici: 4 s) has closed its connections: a jump of
    // the clock past that closes the idle ones, so each poll of a 30 s cadence connects anew
    if (ms !== null && ms - now() > IDLE_CLOSE_MS) for (const s of httpServers) s.closeIdleConnections();
    fixed = ms;
  };
  const control = createServer((req, res) =>
    readBody(req).then((raw) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/_sim/mesh.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        return res.end(mesh.text);
      }
      if (req.method === 'PUT' && path === '/_sim/clock') {
        const v = (JSON.parse(raw || '{}') as { now?: unknown }).now;
        setNow(typeof v === 'number' ? v : null);
        return send(res, 200, { ok: true, now: now() });
      }
      if (req.method === 'GET' && path === '/_sim/stats') return send(res, 200, stats());
      if (req.method === 'GET' && path === '/_sim')
        return send(res, 200, { nodes: n, urls, now: now(), ...stats() });
      send(res, 404, { error: 'not_found', reason: 'missing' });
    }),
  );
  // no server-side idle timeout: only the client closes an idle control connection, so a request
  // never races the server closing it (a poll of 1,000 nodes is longer than the 5 s default)
  control.keepAliveTimeout = 0;
  await listen(control, host);
  closers.push(control);
  if (shared) closers.push(shared);

  return {
    urls,
    controlUrl: `http://${host}:${(control.address() as { port: number }).port}`,
    mesh,
    model,
    now,
    setNow,
    stats,
    close: async () => {
      await Promise.all(
        closers.map(
          (s) =>
            new Promise<void>((resolve) => {
              if ('closeAllConnections' in s) s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

function perPort(h: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const s = createServer(h);
  s.keepAliveTimeout = 10_000;
  return s;
}

function listen(s: Server | NetServer, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, () => {
      s.off('error', reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    return Promise.resolve('');
  }
  return new Promise((resolve) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => resolve(raw));
  });
}

function send(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

/** The soft limit of open files of this process (`ulimit -n`), from /proc; null when unknown. */
export function fdLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !m ? null : m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return null;
  }
}

/** File descriptors a simulator of `nodes` nodes may need (listeners + ~3 connections per node). */
export const fdsNeeded = (nodes: number) => 4 * nodes + 100;
