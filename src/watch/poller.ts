/**
 * The telemetry poller: the I/O edge of observe/ + health/. Each poll reads every node with bounded
 * concurrency and a steady-state budget of 3 requests per node (`_scheduler/docs` as one page of
 * 500, `_active_tasks`, and the info of the mesh database(s) the node is a source of — one request
 * per db, or one `POST /_dbs_info` when the server has it); `_scheduler/jobs` (crash history) and
 * `_stats/couch_replicator` are read at a slower cadence, or sooner when a doc is crashing / in
 * error / pending / has crashed recently (their history is what the crash and 429 rules need).
 * Snapshots go into a time-bounded ring buffer; after every poll the health rules run over it and
 * the findings are diffed against the previous poll's (raised / changed / resolved).
 *
 * An unreachable node yields `unreachableSnapshot` (itself a finding); a node without the scheduler
 * API (404 on `_scheduler/docs`) is read from its `_replicator` documents with reduced confidence.
 */
import { type Clock, systemClock } from '../core/clock.ts';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { diffFindings, type FindingDiff, findingKey } from '../health/diff.ts';
import { evaluateHealth } from '../health/evaluate.ts';
import { type CheckpointPair, checkpointIntegrityRule } from '../health/rules-checkpoint.ts';
import type { SeriesCache } from '../health/series.ts';
import { type Finding, type HealthThresholds, withDefaults } from '../health/types.ts';
import type { MeshLink } from '../observe/links.ts';
import { readAllSchedulerDocs } from '../observe/paging.ts';
import {
  parseActiveTasks,
  parseDbInfo,
  parseReplicatorDoc,
  parseReplicatorStats,
  parseSchedulerJobsPage,
} from '../observe/parse.ts';
import { schedulerDocFromReplicatorDoc } from '../observe/reduced.ts';
import {
  type DbSeqInfo,
  dbSeqInfo,
  type LinkView,
  linkView,
  type NodeSnapshot,
  unreachableSnapshot,
} from '../observe/snapshot.ts';
import type { ReplicatorStats, SchedulerDoc, SchedulerJob } from '../observe/types.ts';
import { isNodeFailure } from '../plan/node-failure.ts';
import { mapLimit } from '../plan/observe.ts';

/** One node as the poller sees it. */
export interface PollTarget {
  name: string;
  client: CouchClient;
  /** databases whose `update_seq` this node reports (it is the source of a direction over them) */
  dbs: readonly string[];
}

/** Which node reports which db: every node of a link reports each of the link's databases. */
export function pollTargets(
  links: readonly MeshLink[],
  clients: ReadonlyMap<string, CouchClient>,
): PollTarget[] {
  const dbs = new Map<string, Set<string>>();
  for (const name of clients.keys()) dbs.set(name, new Set());
  for (const l of links) for (const d of l.directions) dbs.get(d.from)?.add(l.db);
  return [...clients.entries()].map(([name, client]) => ({
    name,
    client,
    dbs: [...(dbs.get(name) ?? [])].sort(),
  }));
}

export interface PollerOptions {
  targets: readonly PollTarget[];
  links: readonly MeshLink[];
  clock?: Clock;
  /** time between poll starts (default thresholds.pollIntervalMs) */
  intervalMs?: number;
  thresholds?: Partial<HealthThresholds>;
  /** nodes polled at the same time (default 8) */
  concurrency?: number;
  /** `_scheduler/docs` rows per request (default 500: one request per poll up to 500 docs) */
  pageSize?: number;
  /** `_scheduler/jobs` + `_stats` at most this often per node in steady state (default 6 polls) */
  slowIntervalMs?: number;
  /** ... and at most this often when a doc needs them (crashing, error, pending; default 2 polls) */
  demandIntervalMs?: number;
  /** how long snapshots are kept (default max(10 min, thresholds.windowMs)) */
  retainMs?: number;
  /** a node without the scheduler API is probed for it again after this long (default 10 min) */
  reprobeMs?: number;
}

export interface PollRequests {
  total: number;
  byNode: Record<string, number>;
}

export interface PollResult {
  /** 1 for the first poll */
  poll: number;
  startedAt: number;
  at: number;
  /** this poll's snapshots, one per node */
  snapshots: NodeSnapshot[];
  views: LinkView[];
  findings: Finding[];
  diff: FindingDiff;
  requests: PollRequests;
}

interface NodeMemory {
  reducedSince: number | null;
  dbsInfo: boolean | null;
  jobs?: SchedulerJob[];
  jobsAt?: number;
  stats?: ReplicatorStats;
  statsAt?: number;
}

/** A silenced finding: matching findings are dropped until `until` (e.g. after a deliberate reset). */
export interface Silence {
  rule: Finding['rule'];
  link?: string;
  db?: string;
  direction?: string;
  until: number;
}

type Query = Record<string, string | number | boolean>;
type Get = <T>(path: string, query?: Query) => Promise<T>;

const NEEDS_HISTORY = new Set(['crashing', 'error', 'pending']);

export class Poller {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly thresholds: HealthThresholds;
  readonly links: readonly MeshLink[];
  readonly targets: readonly PollTarget[];
  readonly #o: Required<Omit<PollerOptions, 'targets' | 'links' | 'clock' | 'thresholds' | 'intervalMs'>>;
  readonly #memory = new Map<string, NodeMemory>();
  readonly #cache: SeriesCache = new WeakMap();
  #ring: NodeSnapshot[] = [];
  #views: LinkView[] = [];
  #findings: Finding[] = [];
  #checkpoints = new Map<string, { at: number; pair: CheckpointPair }>();
  #silences: Silence[] = [];
  #polls = 0;
  #last: PollResult | undefined;

  constructor(o: PollerOptions) {
    this.clock = o.clock ?? systemClock;
    this.targets = o.targets;
    this.links = o.links;
    const t = withDefaults(o.thresholds);
    this.intervalMs = o.intervalMs ?? t.pollIntervalMs;
    this.thresholds = { ...t, pollIntervalMs: this.intervalMs };
    this.#o = {
      concurrency: o.concurrency ?? 8,
      pageSize: o.pageSize ?? 500,
      slowIntervalMs: o.slowIntervalMs ?? 6 * this.intervalMs,
      demandIntervalMs: o.demandIntervalMs ?? 2 * this.intervalMs,
      retainMs: o.retainMs ?? Math.max(600_000, this.thresholds.windowMs),
      reprobeMs: o.reprobeMs ?? 600_000,
    };
    for (const t of o.targets) this.#memory.set(t.name, { reducedSince: null, dbsInfo: null });
  }

  /** Snapshots kept (oldest first within each node). */
  get snapshots(): readonly NodeSnapshot[] {
    return this.#ring;
  }

  get findings(): readonly Finding[] {
    return this.#findings;
  }

  get views(): readonly LinkView[] {
    return this.#views;
  }

  get last(): PollResult | undefined {
    return this.#last;
  }

  /** Drop findings matching `s` until `s.until` (used after a deliberate checkpoint reset). */
  silence(s: Silence): void {
    this.#silences.push(s);
  }

  /** Checkpoint pairs read on demand: judged by the integrity rule until `thresholds.windowMs` old. */
  addCheckpoints(pairs: readonly CheckpointPair[], at = this.clock.now()): void {
    for (const pair of pairs)
      this.#checkpoints.set(`${pair.link}|${pair.db}|${pair.from}->${pair.to}`, { at, pair });
  }

  /** One poll of every node, then the health rules; `signal` aborts the requests in flight. */
  async pollOnce(signal?: AbortSignal): Promise<PollResult> {
    const startedAt = this.clock.now();
    const byNode: Record<string, number> = {};
    const snapshots = await mapLimit(this.targets, this.#o.concurrency, async (t) => {
      const r = await this.#pollNode(t, signal);
      byNode[t.name] = r.requests;
      return r.snapshot;
    });
    signal?.throwIfAborted();
    const now = this.clock.now();
    this.#ring.push(...snapshots);
    const keepFrom = now - this.#o.retainMs;
    if ((this.#ring[0]?.at ?? now) < keepFrom) this.#ring = this.#ring.filter((s) => s.at >= keepFrom);
    this.#views = linkView(snapshots, this.links, this.#views);
    const findings = this.evaluate(now);
    const diff = diffFindings(this.#findings, findings);
    this.#findings = findings;
    this.#polls++;
    const total = Object.values(byNode).reduce((a, b) => a + b, 0);
    this.#last = {
      poll: this.#polls,
      startedAt,
      at: now,
      snapshots,
      views: this.#views,
      findings,
      diff,
      requests: { total, byNode },
    };
    return this.#last;
  }

  /** The health rules over the kept snapshots (and fresh checkpoint pairs), silences applied. */
  evaluate(now = this.clock.now()): Finding[] {
    for (const [k, v] of this.#checkpoints)
      if (v.at < now - this.thresholds.windowMs) this.#checkpoints.delete(k);
    this.#silences = this.#silences.filter((s) => s.until > now);
    const checkpoints = [...this.#checkpoints.values()].map((v) => v.pair);
    const all = evaluateHealth(
      { snapshots: this.#ring, links: this.links, checkpoints, cache: this.#cache },
      now,
      this.thresholds,
    );
    return all.filter((f) => !this.#silences.some((s) => silences(s, f)));
  }

  /**
   * Polls every `intervalMs` (measured from poll start) until `signal` aborts; `onPoll` sees each
   * result. Resolves on abort; an error thrown by `onPoll` ends the loop with that error.
   */
  async run(signal: AbortSignal, onPoll: (r: PollResult) => void | Promise<void>): Promise<void> {
    while (!signal.aborted) {
      const started = this.clock.now();
      let result: PollResult;
      try {
        result = await this.pollOnce(signal);
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      await onPoll(result);
      const wait = Math.max(0, this.intervalMs - (this.clock.now() - started));
      try {
        await this.clock.sleep(wait, signal);
      } catch {
        return;
      }
    }
  }

  async #pollNode(
    t: PollTarget,
    signal?: AbortSignal,
  ): Promise<{ snapshot: NodeSnapshot; requests: number }> {
    const mem = this.#memory.get(t.name) as NodeMemory;
    let requests = 0;
    const opts = signal ? { signal } : {};
    const get: Get = <T>(path: string, query?: Query) => {
      requests++;
      return t.client.get<T>(path, query, opts);
    };
    const now0 = this.clock.now();
    try {
      const reduced = mem.reducedSince !== null && now0 - mem.reducedSince < this.#o.reprobeMs;
      const [docs, tasks, dbInfo] = await Promise.all([
        reduced ? this.#reducedDocs(get) : this.#schedulerDocs(mem, get),
        get<unknown>('/_active_tasks').then(parseActiveTasks, notFoundAs([])),
        this.#dbInfo(t, mem, get, (n) => {
          requests += n;
        }),
      ]);
      const confidence = mem.reducedSince !== null ? 'reduced' : 'full';
      if (confidence === 'full') await this.#slowReads(mem, docs, get);
      const at = this.clock.now();
      const snapshot: NodeSnapshot = {
        node: t.name,
        at,
        reachable: true,
        confidence,
        docs,
        tasks,
        dbInfo,
        ...(mem.jobs ? { jobs: mem.jobs, jobsAt: mem.jobsAt } : {}),
        ...(mem.stats ? { stats: mem.stats, statsAt: mem.statsAt } : {}),
      };
      return { snapshot, requests };
    } catch (e) {
      signal?.throwIfAborted();
      // only the node's failures make an unreachable snapshot: a bug (a TypeError...) propagates
      if (!isNodeFailure(e)) throw e;
      const error = { code: e.code, message: e.message };
      return { snapshot: unreachableSnapshot(t.name, this.clock.now(), error), requests };
    }
  }

  async #schedulerDocs(mem: NodeMemory, get: Get): Promise<SchedulerDoc[]> {
    try {
      const all = await readAllSchedulerDocs((skip, limit) => get('/_scheduler/docs', { skip, limit }), {
        pageSize: this.#o.pageSize,
      });
      mem.reducedSince = null;
      return all.docs;
    } catch (e) {
      // no scheduler API (CouchDB < 2.1, PouchDB servers): `_replicator` states, reduced confidence
      if (isCouchError(e) && (e.status === 404 || e.status === 400)) {
        mem.reducedSince = this.clock.now();
        return this.#reducedDocs(get);
      }
      throw e;
    }
  }

  async #reducedDocs(get: Get) {
    const r = await get<{ rows: Array<{ id: string; doc?: unknown }> }>('/_replicator/_all_docs', {
      include_docs: true,
    }).catch(notFoundAs({ rows: [] }));
    return r.rows
      .filter((x) => x.doc && !x.id.startsWith('_design/'))
      .map((x) => schedulerDocFromReplicatorDoc(parseReplicatorDoc(x.doc)));
  }

  async #dbInfo(
    t: PollTarget,
    mem: NodeMemory,
    get: Get,
    count: (n: number) => void,
  ): Promise<Record<string, DbSeqInfo>> {
    const out: Record<string, DbSeqInfo> = {};
    if (t.dbs.length > 1 && mem.dbsInfo !== false) {
      try {
        count(1);
        const rows = await t.client.post<Array<{ key: string; info?: unknown; error?: string }>>(
          '/_dbs_info',
          { keys: t.dbs },
          undefined,
          { idempotent: true },
        );
        mem.dbsInfo = true;
        for (const r of rows) if (r.info) out[r.key] = dbSeqInfo(parseDbInfo(r.info));
        return out;
      } catch (e) {
        // CouchDB 3 keeps `_dbs_info` to server admins (chttpd_misc): a member-only poller gets
        // 401/403 there and reads each database instead, as it does on a server without it
        if (!(isCouchError(e) && [400, 401, 403, 404, 405].includes(e.status ?? 0))) throw e;
        mem.dbsInfo = false;
      }
    }
    await Promise.all(
      t.dbs.map(async (db) => {
        const info = await get<unknown>(`/${encodeURIComponent(db)}`).catch(notFoundAs(null));
        // a missing db is not a node failure: the direction rules report what it causes
        if (info !== null) out[db] = dbSeqInfo(parseDbInfo(info));
      }),
    );
    return out;
  }

  /** `_scheduler/jobs` + `_stats`: slow cadence, or sooner when a doc's state needs the history. */
  async #slowReads(mem: NodeMemory, docs: readonly SchedulerDoc[], get: Get): Promise<void> {
    const now = this.clock.now();
    const age = (at: number | undefined) => (at === undefined ? Number.POSITIVE_INFINITY : now - at);
    const needs = docs.some((d) => NEEDS_HISTORY.has(d.state) || d.error_count > 0);
    const pending = docs.some((d) => d.state === 'pending');
    const wantJobs =
      age(mem.jobsAt) >= this.#o.slowIntervalMs || (needs && age(mem.jobsAt) >= this.#o.demandIntervalMs);
    const wantStats =
      age(mem.statsAt) >= this.#o.slowIntervalMs || (pending && age(mem.statsAt) >= this.#o.demandIntervalMs);
    await Promise.all([
      wantJobs
        ? get<unknown>('/_scheduler/jobs', { limit: this.#o.pageSize }).then((j) => {
            mem.jobs = parseSchedulerJobsPage(j).jobs;
            mem.jobsAt = this.clock.now();
          })
        : undefined,
      wantStats
        ? get<unknown>('/_node/_local/_stats/couch_replicator')
            .then((s) => {
              mem.stats = parseReplicatorStats(s);
              mem.statsAt = this.clock.now();
            })
            .catch(notFoundAs(undefined))
        : undefined,
    ]);
  }
}

function silences(s: Silence, f: Finding): boolean {
  return (
    s.rule === f.rule &&
    (s.link === undefined || s.link === f.link) &&
    (s.db === undefined || s.db === f.db) &&
    (s.direction === undefined || s.direction === f.direction)
  );
}

/** A `.catch` that turns a 404 into `value` and rethrows anything else. */
function notFoundAs<T>(value: T): (e: unknown) => T {
  return (e) => {
    if (isCouchError(e) && e.status === 404) return value;
    throw e;
  };
}

/** Findings of a checkpoint pair list, for callers that do not run a poller (checkpoint verify). */
export const integrityFindings = (pairs: readonly CheckpointPair[]): Finding[] =>
  pairs.map(checkpointIntegrityRule).filter((f): f is Finding => f !== null);

export { findingKey };
