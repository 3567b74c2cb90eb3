// TLS side of the benchmarks (bench/tls.ts): a mesh CA in a temp folder, in-process nodes over mutual TLS or
// plain http, a small JSON client for either, and a count of the TLS connections undici opens in this process.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { startNode } from '../../src/node/index.ts';
import { initCa, issueNode } from '../../src/security/index.ts';

export type Transport = 'plain' | 'mtls';

export interface Pem {
  cert: string;
  key: string;
  ca: string;
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** The mesh CA and a certificate per name (SAN 127.0.0.1), made with the mesh PKI as `couchmesh certs` does. */
export async function makePki(dir: string, names: string[]): Promise<Map<string, Pem>> {
  const now = Date.now();
  const ca = await initCa(dir, { now });
  const out = new Map<string, Pem>();
  for (const name of names) {
    const p = await issueNode(dir, name, { hosts: ['127.0.0.1'], now });
    out.set(name, {
      cert: readFileSync(p.cert, 'utf8'),
      key: readFileSync(p.key, 'utf8'),
      ca: readFileSync(ca.cert, 'utf8'),
      certFile: p.cert,
      keyFile: p.key,
      caFile: ca.cert,
    });
  }
  return out;
}

export type BenchNode = Awaited<ReturnType<typeof startNode>>;

/** An in-memory node with a server admin; with `pem`, HTTPS that refuses clients without a mesh certificate. */
export async function startBenchNode(password: string, pem?: Pem): Promise<BenchNode> {
  const node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: password },
    ...(pem ? { tls: { cert: pem.cert, key: pem.key, ca: pem.ca, requireClientCert: true } } : {}),
  });
  // couch_replicator_scheduler_job waits up to `startup_jitter` ms (default 5000) before a job starts
  node.state.configSections.replicator = { ...node.state.configSections.replicator, startup_jitter: '0' };
  return node;
}

/** A keep-alive client for one transport: the bench's own requests (seeding, _replicate, waiters). */
export class BenchClient {
  readonly agent: Agent;
  private readonly auth: string;
  constructor(password: string, pem?: Pem) {
    this.agent = new Agent({
      connections: 16,
      keepAliveTimeout: 60_000,
      ...(pem ? { connect: { ca: pem.ca, cert: pem.cert, key: pem.key } } : {}),
    });
    this.auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  }
  async call<T = Record<string, unknown>>(url: string, method = 'GET', body?: unknown): Promise<T> {
    const res = await request(url, {
      method: method as 'GET',
      headers: { authorization: this.auth, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      dispatcher: this.agent,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 202)
      throw new Error(`${method} ${url} -> ${res.statusCode} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
  close(): Promise<void> {
    return this.agent.close();
  }
}

export interface WireCount {
  /** undici requests created (every client in this process: the replicators', couchmesh's, the bench's) */
  requests: number;
  /** connections opened; for https, each one is a TLS handshake */
  connections: number;
  /** of those, TLS handshakes that resumed a session (abbreviated) */
  resumed: number;
}

/**
 * Counts through undici's diagnostics channels (`undici:request:create`, `undici:client:connected`), which
 * every undici client publishes: no hook in the code measured. `only` keeps the requests to one origin set.
 */
export function countWire(only?: (origin: string) => boolean): { count: WireCount; stop(): void } {
  const count: WireCount = { requests: 0, connections: 0, resumed: 0 };
  const onRequest = (m: unknown) => {
    const r = (m as { request: { origin: string } }).request;
    if (!only || only(String(r.origin))) count.requests++;
  };
  const onConnected = (m: unknown) => {
    const { socket, connectParams } = m as {
      socket: TLSSocket;
      connectParams: { protocol: string; host: string };
    };
    if (only && !only(`${connectParams.protocol}//${connectParams.host}`)) return;
    count.connections++;
    if (typeof socket.isSessionReused === 'function' && socket.isSessionReused()) count.resumed++;
  };
  subscribe('undici:request:create', onRequest);
  subscribe('undici:client:connected', onConnected);
  return {
    count,
    stop() {
      unsubscribe('undici:request:create', onRequest);
      unsubscribe('undici:client:connected', onConnected);
    },
  };
}

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
