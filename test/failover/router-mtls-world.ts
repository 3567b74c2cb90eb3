// The FAILOVER router's world over mutual TLS (router-mtls.test.ts): the router harness's three nodes
// (n3, n4, relay node r) on https, each with a certificate from the mesh CA and requiring client
// certificates; couchmesh reaches them with its own certificate (mesh.yaml `tls:`), and each node's
// replicator presents the node's certificate to its peers. The forward proxy of proxy mode is a real
// `couchmesh relay` (startRelay), so an https replication goes through it in a CONNECT tunnel.
//
// The harness's trick, over TLS: the n3--n4 link names a fault proxy as n3's endpoint, and a relay
// elsewhere in the network would reach n3 over its own, healthy path. Here everything is on
// 127.0.0.1, so the test's network does it: a front in front of the relay rewrites the CONNECT
// authority from the fault proxy's port to n3's (the CONNECT line only; the tunnel's bytes are
// untouched), and the relay itself runs unchanged, allow list included. The front also keeps what
// crossed the tunnel, so the test can show the relay never saw plaintext.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parseAllow } from '../../src/relay/allow.ts';
import { type Relay, startRelay } from '../../src/relay/relay.ts';
import { initCa, issueNode } from '../../src/security/index.ts';
import { type Json, type NodeDef, parseBody, TelemetryMesh, until } from '../telemetry/helpers.ts';
import { DOC, RouterWorld } from './router-harness.ts';

/** A TelemetryMesh whose nodes are on https with mutual TLS from one mesh CA. */
export class MtlsMesh extends TelemetryMesh {
  readonly certs = join(this.dir, 'certs');
  #agent: Agent | undefined;

  #pem(f: string): string {
    return readFileSync(join(this.certs, f), 'utf8');
  }

  override async start(
    defs: NodeDef[],
    links: Array<[string, string]>,
    opts: Parameters<TelemetryMesh['start']>[2] = {},
  ): Promise<this> {
    const now = Date.now();
    await initCa(this.certs, { now, days: 1 });
    for (const n of [...defs.map((d) => d.name), 'couchmesh'])
      await issueNode(this.certs, n, { hosts: ['127.0.0.1'], now, days: 1 });
    const ca = this.#pem('ca.pem');
    this.#agent = new Agent({
      connect: { ca, cert: this.#pem('couchmesh.pem'), key: this.#pem('couchmesh.key') },
    });
    const tlsDefs = defs.map((d) => ({
      ...d,
      options: {
        ...d.options,
        tls: {
          cert: this.#pem(`${d.name}.pem`),
          key: this.#pem(`${d.name}.key`),
          ca,
          requireClientCert: true,
        },
      },
    }));
    await super.start(tlsDefs, links, opts);
    // every node of the mesh file names the CA and couchmesh's own client certificate
    const tls =
      ', tls: { ca_file: certs/ca.pem, cert_file: certs/couchmesh.pem, key_file: certs/couchmesh.key }';
    const text = readFileSync(this.file, 'utf8').replace(
      /^( {2}\w+: \{ url: "https:[^"]+", auth: \{[^}]*\})/gm,
      `$1${tls}`,
    );
    if ((text.match(/ tls: /g) ?? []).length !== defs.length) throw new Error('tls lines not written');
    writeFileSync(this.file, text);
    return this;
  }

  override async request(
    name: string,
    method: string,
    path: string,
    body?: unknown,
    base = this.url(name),
  ): Promise<{ status: number; body: Json }> {
    const res = await request(base + path, {
      method: method as 'GET',
      dispatcher: this.#agent,
      headers: this.adminHeaders(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, body: parseBody(await res.body.text()) };
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#agent?.close();
  }
}

/** The router harness over mutual TLS, with a real `couchmesh relay` as proxy mode's forward proxy. */
export class MtlsRouterWorld extends RouterWorld {
  relay!: Relay;
  readonly relayLog: string[] = [];
  /** bytes the front passed into the relay's tunnels after their CONNECT line (client -> n3) */
  readonly tunnelled: Buffer[] = [];
  readonly #sockets = new Set<Socket>();

  constructor() {
    super(new MtlsMesh());
  }

  /** n3->n4's job on n4 (the scheduler's doc: replication id, state, checkpointed seq) */
  job(): Promise<Json> {
    return this.mesh.ok('n4', 'GET', `/_scheduler/docs/_replicator/${DOC}`);
  }

  /** Starts the world in proxy mode with 20 docs replicated directly and the controller running; the job's replication id. */
  async running(): Promise<string> {
    await this.start('proxy');
    await this.mesh.write('n3', 'a', 20);
    await this.reaches('n4', 20);
    this.startController();
    const job = await until('n3->n4 running and checkpointed', async () => {
      const d = await this.job();
      return d.state === 'running' && d.info?.checkpointed_source_seq ? d : undefined;
    });
    return job.id;
  }

  /** Degrades n3->n4 and writes 10 docs on n3; once rerouted: the polls it took and n4's doc. */
  async degrade(): Promise<{ polls: number; doc: Json }> {
    const from = this.setLink('bad');
    await this.mesh.write('n3', 'b', 10);
    const polls = (await this.routed('relayed')) - from;
    return { polls, doc: await this.doc() };
  }

  /** Heals n3->n4; once routed direct again: n4's doc. */
  async heal(): Promise<Json> {
    const mark = this.events.length;
    this.setLink('good');
    await this.routed('direct', mark);
    return this.doc();
  }

  protected override async forwardProxy(from: number, to: number): Promise<{ url: string; server: Server }> {
    const port = (n: string) => Number(new URL(this.mesh.url(n)).port);
    this.relay = await startRelay({
      port: 0,
      allow: parseAllow(['n3', 'n4', 'r'].map((n) => `127.0.0.1:${port(n)}`).join(',')),
      log: (l) => this.relayLog.push(l),
    });
    const server = createServer((_req, res) => {
      res.writeHead(400);
      res.end();
    });
    server.on('connect', (req, client: Socket, head: Buffer) => {
      const authority = (req.url ?? '').replace(new RegExp(`:${from}$`), `:${to}`);
      const up = connect(this.relay.port, '127.0.0.1', () => {
        up.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
        if (head.length) up.write(head);
        client.on('data', (b: Buffer) => this.tunnelled.push(b));
        client.pipe(up);
        up.pipe(client);
      });
      for (const s of [client, up]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          up.destroy();
        });
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
  }

  override async close(): Promise<void> {
    await this.c?.stop();
    for (const s of this.#sockets) s.destroy();
    await super.close();
    await this.relay?.close(0);
  }
}
