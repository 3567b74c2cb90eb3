// The FAILOVER router's end-to-end harness: three embedded nodes n3, n4 and the relay node r; the
// n3--n4 link reaches n3 through a fault proxy (endpoint override), so only n3->n4 (pulled by n4)
// crosses it. The relay's forward proxy for proxy mode is a small rewriting proxy: it reaches n3
// directly where the link's URL names the fault proxy, which is what a relay elsewhere in the
// network does (its own path to n3 is healthy). Canary samples are injected: one per poll, bad
// (5000 ms > 2000 ms) while the test says the link is degraded; the fault proxy is partitioned at
// the same time, so the direct job crashes as well.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import type { ControllerEvent } from '../../src/controller/view.ts';
import type { CanarySample } from '../../src/failover/types.ts';
import { type FaultProxy, startFaultProxy } from '../../src/relay/fault-proxy.ts';
import { DB, type Json, TelemetryMesh, until } from '../telemetry/helpers.ts';

export const DOC = 'couchmesh.t.sensors.n3--n4';

/** A forward proxy for absolute-form http requests, sending `from` port's traffic to `to` port. */
async function rewritingProxy(from: number, to: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '');
    if (Number(u.port) === from) u.port = String(to);
    const { 'proxy-connection': _, host: __, ...headers } = req.headers;
    const up = request(u, { method: req.method, headers: { ...headers, host: u.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, server };
}

export type LinkMode = 'good' | 'bad' | 'flap';

export class RouterWorld {
  /** router-mtls-world.ts passes a mesh on https with client certificates */
  constructor(readonly mesh: TelemetryMesh = new TelemetryMesh()) {}
  fault!: FaultProxy;
  proxy!: { url: string; server: Server };
  c!: Controller;
  readonly events: ControllerEvent[] = [];
  readonly log: string[] = [];
  readonly samples: CanarySample[] = [];
  polls = 0;
  link: LinkMode = 'good';

  /** real canaries (the controller's canary loop) instead of injected samples: see router-canary.test.ts */
  realCanary = false;

  async start(
    mode: 'proxy' | 'store-and-forward',
    o: { canary?: { interval_ms: number; timeout_ms: number }; thresholdMs?: number } = {},
  ): Promise<this> {
    // n4 on disk: a test stops it and starts it again with its data
    await this.mesh.start([{ name: 'n3' }, { name: 'n4', persistent: true }, { name: 'r' }], [['n3', 'n4']]);
    const port = (n: string) => Number(new URL(this.mesh.url(n)).port);
    this.fault = await startFaultProxy({ target: { host: '127.0.0.1', port: port('n3') } });
    this.proxy = await this.forwardProxy(this.fault.port, port('n3'));
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(this.mesh.file, 'utf8')
      .replace(/ {2}r: \{ url: "([^"]+)",/, '  r: { url: "$1", role: relay,')
      .replace(
        '  - [n3, n4]',
        `  - { between: [n3, n4], endpoints: { n3: "${this.fault.url.replace('http:', new URL(this.mesh.url('n3')).protocol)}" } }`,
      );
    writeFileSync(this.mesh.file, text);
    appendFileSync(
      this.mesh.file,
      `failover:\n  mode: ${mode}\n  degrade_after: 3\n  recover_after: 3\n  relays: { r: { proxy: "${this.proxy.url}" } }\n`,
    );
    if (o.thresholdMs !== undefined)
      appendFileSync(this.mesh.file, `  links: { n3--n4: { relay_latency_ms: ${o.thresholdMs} } }\n`);
    if (o.canary) {
      this.realCanary = true;
      const c = o.canary;
      appendFileSync(
        this.mesh.file,
        `canary: { enabled: true, interval_ms: ${c.interval_ms}, timeout_ms: ${c.timeout_ms} }\n`,
      );
    }
    await this.mesh.apply();
    return this;
  }

  /** the relay's forward proxy for proxy mode, reaching `to` where a URL names `from` */
  protected forwardProxy(from: number, to: number): Promise<{ url: string; server: Server }> {
    return rewritingProxy(from, to);
  }

  startController(): void {
    const dest = new Writable({
      write: (chunk, _e, cb) => {
        this.log.push(String(chunk));
        cb();
      },
    });
    this.c = startController(
      {
        file: this.mesh.file,
        stateDir: join(this.mesh.dir, 'state'),
        log: (r) => controllerLogger(r, dest),
        graceMs: 5_000,
        ...(this.realCanary
          ? {}
          : {
              canary: {
                samples: (from: string, to: string) => (from === 'n3' && to === 'n4' ? this.samples : []),
              },
            }),
      },
      this.mesh.deps(),
    );
    // a canary sample per poll (emitted before the router's pass of the same poll reads it)
    this.c.subscribe((e) => {
      this.events.push(e);
      if (e.type !== 'poll') return;
      this.polls++;
      const bad = this.link === 'bad' || (this.link === 'flap' && this.polls % 2 === 0);
      this.samples.push({ from: 'n3', to: 'n4', at: this.polls, latencyMs: bad ? 5000 : 40 });
    });
  }

  /**
   * 20 documents on n3 replicated to n4, then the controller started; resolves with the replication
   * id of n3->n4 once its job runs with a checkpoint (what the proxy-mode tests compare against).
   */
  async startRunning(): Promise<string> {
    await this.mesh.write('n3', 'a', 20);
    await this.reaches('n4', 20);
    this.startController();
    const job = await until('n3->n4 running', async () => {
      const d: Json = await this.mesh.ok('n4', 'GET', `/_scheduler/docs/_replicator/${DOC}`);
      return d.state === 'running' && d.info?.checkpointed_source_seq ? d : undefined;
    });
    return job.id as string;
  }

  /** Degrades (or heals) n3->n4: the canary's verdict and the fault proxy's partition together. */
  setLink(mode: LinkMode): number {
    this.link = mode;
    if (mode === 'bad') this.fault.set({ partition: true });
    else this.fault.heal();
    return this.polls;
  }

  routeEvents(): Array<Extract<ControllerEvent, { type: 'route' }>> {
    return this.events.filter((e): e is Extract<ControllerEvent, { type: 'route' }> => e.type === 'route');
  }

  /** The poll count when the n3->n4 route event with this path arrived (bounded wait). */
  async routed(path: 'relayed' | 'direct' | 'no-relay', after = 0): Promise<number> {
    return until(
      `n3->n4 ${path}`,
      async () => {
        const i = this.events.findIndex(
          (e, j) =>
            j >= after && e.type === 'route' && e.route.direction === 'n3->n4' && e.route.path === path,
        );
        if (i < 0) return undefined;
        return this.events.slice(0, i).filter((e) => e.type === 'poll').length;
      },
      1_500,
    );
  }

  async waitPolls(n: number): Promise<void> {
    const target = this.polls + n;
    await until(`${n} polls`, async () => (this.polls >= target ? true : undefined), 1_500);
  }

  doc(node = 'n4', id = DOC): Promise<Json> {
    return this.mesh.ok(node, 'GET', `/_replicator/${encodeURIComponent(id)}`);
  }

  async count(node: string): Promise<number> {
    return (await this.mesh.ok(node, 'GET', `/${DB}`)).doc_count;
  }

  async reaches(node: string, n: number): Promise<void> {
    await until(
      `${n} docs on ${node}`,
      async () => ((await this.count(node)) >= n ? true : undefined),
      1_500,
    );
  }

  async close(): Promise<void> {
    await this.c?.stop();
    await this.fault?.close();
    this.proxy?.server.closeAllConnections();
    await new Promise((r) => this.proxy?.server.close(r));
    await this.mesh.close();
  }
}
