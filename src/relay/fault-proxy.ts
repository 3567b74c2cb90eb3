import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { type Clock, systemClock } from '../core/clock.ts';
import { type Random, systemRandom } from '../core/random.ts';

/** Which way data flows: `up` client -> target, `down` target -> client. */
export type Direction = 'up' | 'down';

export interface Faults {
  /** added to every chunk, each way (ms) */
  latencyMs: number;
  /** plus a uniform 0..jitterMs per chunk; order is kept (a later chunk never overtakes) */
  jitterMs: number;
  /** directions whose bytes are held, not forwarded: the sockets stay open, as in a real partition */
  drop: readonly Direction[];
  /** both directions held and new connections accepted but not connected to the target until healed */
  partition: boolean;
  /** new connections are reset (RST) at once */
  resetNew: boolean;
  /** bytes per second each way, 0 = unlimited */
  bandwidthBps: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  jitterMs: 0,
  drop: [],
  partition: false,
  resetNew: false,
  bandwidthBps: 0,
};

export interface FaultCounters {
  accepted: number;
  connectedUpstream: number;
  active: number;
  resets: number;
  chunks: Record<Direction, number>;
  bytes: Record<Direction, number>;
  /** chunks waiting now (held by drop/partition, or in a delay) */
  queued: number;
}

export interface FaultProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly counters: FaultCounters;
  faults(): Faults;
  /** changes faults at run time; held traffic moves again once nothing holds it */
  set(f: Partial<Faults>): void;
  /** back to no faults (a held partition delivers what it held, as TCP retransmission would) */
  heal(): void;
  /** resets (RST) every open connection */
  resetAll(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** the timer seam: delays sleep on it (tests pass a ManualClock) */
  clock?: Clock;
  random?: Random;
}

/** Bytes queued in one direction above which its source is paused (backpressure, nothing dropped). */
const HIGH_WATER = 1 << 20;

/**
 * A TCP proxy on 127.0.0.1 that tests and `couchmesh demo --scenario partition` put between two nodes (mesh.yaml's per-link endpoint override
 * or a replication doc's URL) to degrade the link at run time: latency, jitter, one-way drop, full
 * partition, resets and a bandwidth cap. Held bytes are never discarded: a partition stalls the
 * stream (as lost packets do before TCP gives up) and heal lets it continue, so the HTTP on top
 * never sees a corrupted stream, only silence, delay or a reset.
 */
export function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const clock = o.clock ?? systemClock;
  const random = o.random ?? systemRandom;
  let faults: Faults = { ...NO_FAULTS };
  const counters: FaultCounters = {
    accepted: 0,
    connectedUpstream: 0,
    active: 0,
    resets: 0,
    chunks: { up: 0, down: 0 },
    bytes: { up: 0, down: 0 },
    queued: 0,
  };
  const open = new Set<Socket>();
  // waiters for a change of faults (held pumps and held connects)
  let changed: Array<() => void> = [];
  const nextChange = () => new Promise<void>((r) => changed.push(r));
  const held = (d: Direction) => faults.partition || faults.drop.includes(d);

  /** Moves chunks from `from` to `to` one at a time, in order, applying the faults. */
  function pump(from: Socket, to: Socket, d: Direction): void {
    const queue: Array<{ chunk: Buffer; at: number }> = [];
    let queuedBytes = 0;
    let running = false;
    const run = async () => {
      running = true;
      while (queue.length && !to.destroyed) {
        const item = queue[0] as { chunk: Buffer; at: number };
        while (held(d) && !to.destroyed) await nextChange();
        const wait = item.at - clock.now();
        if (wait > 0) await clock.sleep(wait);
        if (faults.bandwidthBps > 0)
          await clock.sleep(Math.ceil((item.chunk.length * 1000) / faults.bandwidthBps));
        while (held(d) && !to.destroyed) await nextChange();
        queue.shift();
        counters.queued--;
        queuedBytes -= item.chunk.length;
        if (from.isPaused() && queuedBytes < HIGH_WATER) from.resume();
        if (to.destroyed) break;
        counters.chunks[d]++;
        counters.bytes[d] += item.chunk.length;
        if (!to.write(item.chunk)) await new Promise((r) => to.once('drain', r));
      }
      running = false;
      if (fromEnded && queue.length === 0) to.end();
    };
    let fromEnded = false;
    from.on('data', (chunk: Buffer) => {
      const delay =
        faults.latencyMs + (faults.jitterMs > 0 ? Math.floor(random.float() * faults.jitterMs) : 0);
      queue.push({ chunk, at: clock.now() + delay });
      counters.queued++;
      queuedBytes += chunk.length;
      if (queuedBytes >= HIGH_WATER) from.pause();
      if (!running) void run();
    });
    from.on('end', () => {
      fromEnded = true;
      if (!running && queue.length === 0) to.end();
    });
  }

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    counters.accepted++;
    client.on('error', () => {});
    if (faults.resetNew) {
      counters.resets++;
      client.resetAndDestroy();
      return;
    }
    counters.active++;
    open.add(client);
    client.on('close', () => {
      open.delete(client);
      counters.active--;
    });
    void (async () => {
      while (faults.partition && !client.destroyed) await nextChange();
      if (client.destroyed) return;
      const upstream = netConnect(o.target.port, o.target.host);
      counters.connectedUpstream++;
      open.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      pump(client, upstream, 'up');
      pump(upstream, client, 'down');
      client.resume();
    })();
  });

  const set = (f: Partial<Faults>) => {
    faults = { ...faults, ...f };
    const w = changed;
    changed = [];
    for (const r of w) r();
  };

  return listenLoopback(server).then(({ port, url }) => ({
    port,
    url,
    counters,
    faults: () => faults,
    set,
    heal: () => set(NO_FAULTS),
    resetAll() {
      for (const s of open) {
        counters.resets++;
        s.resetAndDestroy();
      }
      open.clear();
    },
    close: () => {
      const done = new Promise<void>((r) => server.close(() => r()));
      for (const s of open) s.destroy();
      set({});
      return done;
    },
  }));
}

/** Listens on a free port of 127.0.0.1 (the fault fronts of tests and the demo). */
export function listenLoopback(server: Server): Promise<{ port: number; url: string }> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ port, url: `http://127.0.0.1:${port}` });
    });
  });
}
