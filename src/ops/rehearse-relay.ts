/**
 * A relay node's forward proxy in the rehearsal (FAILOVER proxy mode, `failover.relays.<name>.proxy`):
 * the real `couchmesh relay` (src/relay/relay.ts: allow list, counters) behind a small front that
 * does what a relay elsewhere in the network does by being elsewhere: it reaches a node by its own
 * path, not the degraded direct one. A rerouted job asks the proxy for the link's address of the far
 * node (its fault proxy on the direct link, which the scenario cut); the front rewrites that to the
 * relay's own link to the node (the fault proxy of `relay--node` in front of it), so relayed traffic
 * crosses the relay's links and dies with them. Losing the relay closes both; a heal starts them
 * again on the same port (the mesh file names it).
 */
import { createServer, request, type Server } from 'node:http';
import type { Clock } from '../core/clock.ts';
import { type Relay, startRelay } from '../relay/relay.ts';

export interface Hop {
  host: string;
  port: number;
}

export interface RehearsalRelayOptions {
  /** the relay node's name (for errors) */
  name: string;
  /** a destination port the replicator asks for -> the relay's own path to that node (undefined: refused) */
  route: (port: number) => Hop | undefined;
  /** every hop `route` may answer (the relay's allow list) */
  allow: readonly Hop[];
  clock: Clock;
}

export class RehearsalRelay {
  private server: Server | undefined;
  private relay: Relay | undefined;
  /** bytes through the relay's proxy (both ways), over every life of it */
  private carried = 0;
  port = 0;

  constructor(private readonly o: RehearsalRelayOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  bytes(): number {
    const c = this.relay?.counters;
    return this.carried + (c ? c.bytesUp + c.bytesDown : 0);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const relay = await startRelay({ port: 0, allow: this.o.allow, clock: this.o.clock });
    const server = createServer((req, res) => {
      let u: URL;
      try {
        u = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end();
        return;
      }
      const hop = this.o.route(Number(u.port));
      if (!hop) {
        res.writeHead(403).end(`relay ${this.o.name}: no path to ${u.host}\n`);
        return;
      }
      u.hostname = hop.host;
      u.port = String(hop.port);
      const { 'proxy-connection': _, host: __, ...headers } = req.headers;
      const up = request(
        {
          host: '127.0.0.1',
          port: relay.port,
          method: req.method,
          path: u.href,
          headers: { ...headers, host: u.host },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    this.relay = relay;
  }

  /** The relay lost: its proxy stops answering, open connections are cut. */
  async stop(): Promise<void> {
    const [server, relay] = [this.server, this.relay];
    this.server = undefined;
    this.relay = undefined;
    if (relay) this.carried += relay.counters.bytesUp + relay.counters.bytesDown;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    await relay?.close(0);
  }
}
