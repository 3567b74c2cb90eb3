// A simulated CouchDB 3 cluster of 3 members over ONE embedded node (src/node): an HTTP front on
// 127.0.0.1 that forwards every request to the node and answers the cluster-only parts as the
// recorded 3.5.0 cluster did (test/fixtures/couchdb/cluster, from shared/couchdb/cluster-samples):
// - `_scheduler/docs`, `_scheduler/jobs`, `_active_tasks` name the member (`node`) that owns each
//   replication doc (12-cluster-scheduler-raw.txt: the docs' jobs are spread over the members), the
//   owner picked by a stable hash of the doc id over the members;
// - a member down: `_membership` drops it from `all_nodes` only (03, 54); the rows of the docs it
//   owned are dropped from `_scheduler/docs` while `total_rows` still counts them, for as long as the
//   cluster has not moved them (46: `total_rows: 4`, 2 rows, 20 s+); `settle()` is the end of the
//   quiet period: owners are then hashed over the live members;
// - a handoff (54, 59): a doc `initializing` on its new member (no replication id yet), or crashing
//   with `Duplicate replication running on <old member>`, its job listed twice in `_scheduler/jobs`;
// - `_scheduler/jobs` answering 500 `function_clause` (the CouchDB bug seen as a member goes down);
// - `_node/<member>/_stats/couch_replicator` per member (81: each member counts its own jobs).
// Each member also has its own URL (`memberUrl`), refusing connections while it is down; `url` is a
// front that always answers (a load balancer over the members).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MEMBERS = ['couchdb@c1.local', 'couchdb@c2.local', 'couchdb@c3.local'] as const;

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the node, rewritten field by field
type Json = any;

/** A scripted handoff of one doc (54, 59). */
export interface Handoff {
  /** `initializing` on `to` (no replication id, no task); `duplicate`: crashing on `to` while `from` runs it */
  phase: 'initializing' | 'duplicate';
  /** the member the doc moves to */
  to: string;
  /** the member it moves from (the duplicate's `running on`) */
  from: string;
}

export class ClusterFront {
  readonly members: readonly string[];
  url = '';
  readonly #memberUrls = new Map<string, string>();
  readonly #down = new Set<string>();
  #settled = true;
  readonly #handoffs = new Map<string, Handoff>();
  /** owners chosen by a test (a shard map placing the doc there) instead of the hash */
  readonly #pins = new Map<string, string>();
  #failJobs = 0;
  readonly #servers = new Map<string, Server>();
  #lb?: Server;
  /** requests answered per member (the LB counts under the member that served it) */
  readonly served = new Map<string, number>();

  constructor(
    /** base URL of the embedded node every member shares */
    readonly target: string,
    members: readonly string[] = MEMBERS,
  ) {
    this.members = [...members].sort();
  }

  async start(): Promise<this> {
    for (const m of this.members) await this.#listen(m, 0);
    this.#lb = createServer((req, res) => this.#handle(req, res, null));
    this.url = await listen(this.#lb, 0);
    return this;
  }

  memberUrl(member: string): string {
    return this.#memberUrls.get(member) as string;
  }

  /** The member that owns `docId` now: hashed over every member, or over the live ones once settled. */
  ownerOf(docId: string): string {
    const pinned = this.#pins.get(docId);
    if (pinned && (!this.#settled || !this.#down.has(pinned))) return pinned;
    const pool = this.#settled ? this.live() : [...this.members];
    const h = createHash('md5').update(docId).digest().readUInt32BE(0);
    return pool[h % pool.length] as string;
  }

  live(): string[] {
    return this.members.filter((m) => !this.#down.has(m));
  }

  /** Stops a member: its URL refuses connections; its docs are unassigned until `settle()`. */
  async down(member: string): Promise<void> {
    this.#down.add(member);
    this.#settled = false;
    const s = this.#servers.get(member);
    this.#servers.delete(member);
    if (s)
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
  }

  /** Starts a member again on its port (the cluster has to settle again: `settle()`). */
  async up(member: string): Promise<void> {
    this.#down.delete(member);
    this.#settled = false;
    await this.#listen(member, Number(new URL(this.memberUrl(member)).port));
  }

  /** The quiet period is over: owners are hashed over the live members. */
  settle(): void {
    this.#settled = true;
  }

  /** Places `docId` on `member` (while it is up, or until the cluster settles without it). */
  pin(docId: string, member: string): void {
    this.#pins.set(docId, member);
  }

  handoff(docId: string, h: Handoff | null): void {
    if (h) this.#handoffs.set(docId, h);
    else this.#handoffs.delete(docId);
  }

  /** The next `n` reads of `_scheduler/jobs` answer 500 (function_clause). */
  failJobs(n: number): void {
    this.#failJobs = n;
  }

  async close(): Promise<void> {
    const all = [...this.#servers.values(), ...(this.#lb ? [this.#lb] : [])];
    await Promise.all(
      all.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
  }

  async #listen(member: string, port: number): Promise<void> {
    const s = createServer((req, res) => this.#handle(req, res, member));
    this.#memberUrls.set(member, await listen(s, port));
    this.#servers.set(member, s);
  }

  #handle(req: IncomingMessage, res: ServerResponse, via: string | null): void {
    const self = via ?? this.live()[0] ?? (this.members[0] as string);
    this.served.set(self, (this.served.get(self) ?? 0) + 1);
    const u = new URL(req.url ?? '/', 'http://front');
    const path = u.pathname;
    const get = req.method === 'GET';
    if (get && path === '/_membership') {
      json(res, 200, { all_nodes: this.live(), cluster_nodes: this.members });
      return;
    }
    if (get && path === '/_scheduler/jobs' && this.#failJobs > 0) {
      this.#failJobs--;
      json(res, 500, { error: 'unknown_error', reason: 'function_clause', ref: 1396221383 });
      return;
    }
    const node = /^\/_node\/([^/]+)\/_stats\/couch_replicator$/.exec(path);
    if (get && node)
      return void this.#stats(req, res, decodeURIComponent(node[1] as string), self).catch(() =>
        json(res, 502, { error: 'bad_gateway' }),
      );
    if (get && (path === '/_scheduler/docs' || path === '/_scheduler/jobs' || path === '/_active_tasks'))
      return void this.#rewritten(req, res, path, u).catch(() => json(res, 502, { error: 'bad_gateway' }));
    forward(this.target, req, res);
  }

  /** `_scheduler/*` and `_active_tasks` with `node` fields, a down owner's rows dropped, handoffs. */
  async #rewritten(req: IncomingMessage, res: ServerResponse, path: string, u: URL): Promise<void> {
    const skip = Number(u.searchParams.get('skip') ?? 0);
    const limit = Number(u.searchParams.get('limit') ?? 100);
    const all = path === '/_active_tasks' ? '' : '?limit=100000';
    const r = await fetchJson(this.target, `${path}${all}`, req.headers.authorization);
    if (r.status !== 200) return json(res, r.status, r.body);
    const assigned = (docId: string) => this.live().includes(this.ownerOf(docId));
    if (path === '/_active_tasks') {
      const tasks = (r.body as Json[]).flatMap((t) => {
        if (t.type !== 'replication' || !t.doc_id) return [t];
        const h = this.#handoffs.get(t.doc_id);
        if (h?.phase === 'initializing' || !assigned(t.doc_id)) return [];
        return [{ ...t, node: h ? h.from : this.ownerOf(t.doc_id) }];
      });
      return json(res, 200, tasks);
    }
    const key = path === '/_scheduler/docs' ? 'docs' : 'jobs';
    const rows = (r.body[key] as Json[]).flatMap((x) => this.#rows(key, x, assigned));
    // CouchDB keeps counting the rows it no longer lists (46)
    const total = key === 'docs' ? r.body.total_rows : rows.length;
    json(res, 200, { total_rows: total, offset: skip, [key]: rows.slice(skip, skip + limit) });
  }

  #rows(key: 'docs' | 'jobs', x: Json, assigned: (docId: string) => boolean): Json[] {
    if (!x.doc_id) return [x];
    if (!assigned(x.doc_id)) return [];
    const h = this.#handoffs.get(x.doc_id);
    const owner = this.ownerOf(x.doc_id);
    if (!h) return [{ ...x, node: owner }];
    const dup = `Duplicate replication running on ${h.from}`;
    if (key === 'docs')
      return [
        h.phase === 'initializing'
          ? { ...x, node: h.to, state: 'initializing', id: null, info: null, error_count: 0 }
          : { ...x, node: h.to, state: 'crashing', info: { error: dup }, error_count: 1 },
      ];
    // the job listed twice (54): running on the old member, and a copy on the new one
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const copy =
      h.phase === 'initializing'
        ? { ...x, node: h.to, pid: null, history: [{ timestamp: at, type: 'added' }] }
        : {
            ...x,
            node: h.to,
            pid: null,
            history: [{ timestamp: at, type: 'crashed', reason: dup }, ...x.history],
          };
    return [{ ...x, node: h.from }, copy];
  }

  /** A member's own `_stats`: the node's, with the job gauges of the docs that member owns. */
  async #stats(req: IncomingMessage, res: ServerResponse, name: string, self: string): Promise<void> {
    const member = name === '_local' ? self : name;
    if (!this.members.includes(member)) return json(res, 404, { error: 'not_found', reason: 'missing' });
    if (this.#down.has(member)) return json(res, 500, { error: 'nodedown', reason: `${member} is down` });
    const auth = req.headers.authorization;
    const [stats, docs] = await Promise.all([
      fetchJson(this.target, '/_node/_local/_stats/couch_replicator', auth),
      fetchJson(this.target, '/_scheduler/docs?limit=100000', auth),
    ]);
    if (stats.status !== 200) return json(res, stats.status, stats.body);
    const mine = ((docs.body?.docs ?? []) as Json[]).filter(
      (d) => this.live().includes(this.ownerOf(d.doc_id)) && this.ownerOf(d.doc_id) === member,
    );
    const count = (st: string) => mine.filter((d) => d.state === st).length;
    const jobs = stats.body.jobs ?? {};
    const set = (k: string, v: number) => {
      jobs[k] = { ...(jobs[k] ?? { type: 'gauge', desc: k }), value: v };
    };
    set('running', count('running'));
    set('pending', count('pending'));
    set('crashed', count('crashing'));
    set('total', mine.length);
    json(res, 200, { ...stats.body, jobs });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(`${text}`);
}

/** The request as it came, to the node; the answer streamed back (replication feeds stay streams). */
function forward(target: string, req: IncomingMessage, res: ServerResponse): void {
  const t = new URL(target);
  const up = request(
    {
      host: t.hostname,
      port: t.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: t.host },
    },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', () => {
    if (!res.headersSent) json(res, 502, { error: 'bad_gateway', reason: 'node unreachable' });
    else res.destroy();
  });
  res.on('close', () => up.destroy());
  req.pipe(up);
}

async function fetchJson(
  target: string,
  path: string,
  authorization: string | undefined,
): Promise<{ status: number; body: Json }> {
  const r = await fetch(target + path, { headers: authorization ? { authorization } : {} });
  return { status: r.status, body: await r.json() };
}

function listen(s: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
  });
}
