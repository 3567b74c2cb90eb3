/**
 * Helpers for the client's tests (not part of the public API): a recording ManualClock, a port nobody
 * listens on, and tiny node:http servers that misbehave on purpose (network faults, not CouchDB).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../core/clock.ts';
import type { Random } from '../core/random.ts';

/**
 * A ManualClock that records every requested sleep. With `auto` (default) it advances itself by the
 * requested time on the next turn of the event loop, so backoff is instant but still observable.
 */
export class RecordingClock extends ManualClock {
  readonly sleeps: number[] = [];

  constructor(
    start = Date.now(),
    private readonly auto = true,
  ) {
    super(start);
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const p = super.sleep(ms, signal);
    if (this.auto) setImmediate(() => void this.advance(ms));
    return p;
  }
}

/** `float()` always returns `f`: full jitter then sleeps exactly f * ceiling. */
export function fixedRandom(f: number): Random {
  return { float: () => f, uuid: () => '0'.repeat(32) };
}

/** Resolves when `cond()` holds (polling each event-loop turn), or rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP port on 127.0.0.1 with nobody listening (connection refused). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface FaultServer {
  url: string;
  /** Requests received so far (method + url). */
  seen: string[];
  close(): Promise<void>;
}

/** A node:http server answering with `handler`; for 5xx, stalls and cut connections. */
export async function faultServer(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<FaultServer> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    handler(req, res, seen.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Answers JSON like CouchDB does. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
