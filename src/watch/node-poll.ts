/**
 * The poll of one node: a steady-state budget of 3 requests (`_scheduler/docs` as one page of 500,
 * `_active_tasks`, and the info of the mesh database(s) the node is a source of — one request per
 * db, or one `POST /_dbs_info` when the server has it); `_scheduler/jobs` (crash history) and
 * `_stats/couch_replicator` at a slower cadence, or sooner when a doc is crashing / in error /
 * pending / has crashed recently (their history is what the crash and 429 rules need). What a node
 * taught earlier polls (no scheduler API, no `_dbs_info`, the last jobs and stats) is kept here.
 *
 * An unreachable node yields `unreachableSnapshot` (itself a finding); a node without the scheduler
 * API (404 on `_scheduler/docs`) is read from its `_replicator` documents with reduced confidence.
 */
import type { Clock } from '../core/clock.ts';
import { isCouchError } from '../couch/errors.ts';
import { isMultiMember } from '../observe/membership.ts';
import { readAllSchedulerDocs } from '../observe/paging.ts';
import { parseActiveTasks, parseDbInfo, parseReplicatorDoc } from '../observe/parse.ts';
import { schedulerDocFromReplicatorDoc } from '../observe/reduced.ts';
import { replicatorIds, type SideNote, type SlowSide, sideRead, slowReads } from '../observe/side-reads.ts';
import { type DbSeqInfo, dbSeqInfo, type NodeSnapshot, unreachableSnapshot } from '../observe/snapshot.ts';
import type { SchedulerDoc } from '../observe/types.ts';
import { isNodeFailure } from '../plan/node-failure.ts';
import type { PollTarget } from './targets.ts';

/** How one node is read (the poller's options, resolved). */
export interface NodePollSettings {
  clock: Clock;
  /** `_scheduler/docs` rows per request */
  pageSize: number;
  /** `_scheduler/jobs` + `_stats` at most this often in steady state */
  slowIntervalMs: number;
  /** ... and at most this often when a doc needs them */
  demandIntervalMs: number;
  /** a node without the scheduler API is probed for it again after this long */
  reprobeMs: number;
}

type Query = Record<string, string | number | boolean>;
type Get = <T>(path: string, query?: Query) => Promise<T>;

const NEEDS_HISTORY = new Set(['crashing', 'error', 'pending']);

/** One node's reader, with what it learnt of the node across polls. */
export class NodePoll {
  #reducedSince: number | null = null;
  #dbsInfo: boolean | null = null;
  /** jobs, `_stats` and `_membership` of the last slow reads (observe/side-reads.ts) */
  #side: SlowSide = {};
  #totalRows: number | undefined;

  constructor(
    readonly target: PollTarget,
    private readonly o: NodePollSettings,
  ) {}

  /** Reads the node once: its snapshot and the requests it took; `signal` aborts them. */
  async read(signal?: AbortSignal): Promise<{ snapshot: NodeSnapshot; requests: number }> {
    const t = this.target;
    let requests = 0;
    const opts = signal ? { signal } : {};
    const get: Get = <T>(path: string, query?: Query) => {
      requests++;
      return t.client.get<T>(path, query, opts);
    };
    const now0 = this.o.clock.now();
    try {
      const reduced = this.#reducedSince !== null && now0 - this.#reducedSince < this.o.reprobeMs;
      // a failed side read (here `_active_tasks`) drops its data with a note: only the main read's
      // failure makes the node unreachable (observe/side-reads.ts)
      const notes: SideNote[] = [];
      this.#totalRows = undefined;
      const [docs, tasks, dbInfo] = await Promise.all([
        reduced ? this.#reducedDocs(get) : this.#schedulerDocs(get),
        sideRead('_active_tasks', get<unknown>('/_active_tasks').then(parseActiveTasks), notes),
        this.#dbInfo(get, (n) => {
          requests += n;
        }),
      ]);
      const confidence = this.#reducedSince !== null ? 'reduced' : 'full';
      const total = this.#totalRows;
      if (confidence === 'full') await this.#slowReads(docs, get, notes);
      const ids = total === undefined ? undefined : await replicatorIds(get, docs, total, notes);
      const at = this.o.clock.now();
      const side = this.#side;
      const snapshot: NodeSnapshot = {
        node: t.name,
        at,
        reachable: true,
        confidence,
        docs,
        tasks: tasks ?? [],
        dbInfo,
        ...(side.jobs ? { jobs: side.jobs, jobsAt: side.jobsAt } : {}),
        ...(side.stats ? { stats: side.stats, statsAt: side.statsAt } : {}),
        ...(side.memberStats ? { memberStats: side.memberStats } : {}),
        ...(side.membership ? { membership: side.membership, membershipAt: side.membershipAt } : {}),
        ...(total !== undefined && total > docs.length ? { totalRows: total } : {}),
        ...(ids ? { replicatorIds: ids } : {}),
        ...(notes.length ? { notes } : {}),
      };
      return { snapshot, requests };
    } catch (e) {
      signal?.throwIfAborted();
      // only the node's failures make an unreachable snapshot: a bug (a TypeError...) propagates
      if (!isNodeFailure(e)) throw e;
      const error = { code: e.code, message: e.message };
      return { snapshot: unreachableSnapshot(t.name, this.o.clock.now(), error), requests };
    }
  }

  async #schedulerDocs(get: Get): Promise<SchedulerDoc[]> {
    try {
      const all = await readAllSchedulerDocs((skip, limit) => get('/_scheduler/docs', { skip, limit }), {
        pageSize: this.o.pageSize,
      });
      this.#reducedSince = null;
      this.#totalRows = all.totalRows;
      return all.docs;
    } catch (e) {
      // no scheduler API (CouchDB < 2.1, PouchDB servers): `_replicator` states, reduced confidence
      if (isCouchError(e) && (e.status === 404 || e.status === 400)) {
        this.#reducedSince = this.o.clock.now();
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

  async #dbInfo(get: Get, count: (n: number) => void): Promise<Record<string, DbSeqInfo>> {
    const t = this.target;
    const out: Record<string, DbSeqInfo> = {};
    if (t.dbs.length > 1 && this.#dbsInfo !== false) {
      try {
        count(1);
        const rows = await t.client.post<Array<{ key: string; info?: unknown; error?: string }>>(
          '/_dbs_info',
          { keys: t.dbs },
          undefined,
          { idempotent: true },
        );
        this.#dbsInfo = true;
        for (const r of rows) if (r.info) out[r.key] = dbSeqInfo(parseDbInfo(r.info));
        return out;
      } catch (e) {
        // CouchDB 3 keeps `_dbs_info` to server admins (chttpd_misc): a member-only poller gets
        // 401/403 there and reads each database instead, as it does on a server without it
        if (!(isCouchError(e) && [400, 401, 403, 404, 405].includes(e.status ?? 0))) throw e;
        this.#dbsInfo = false;
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

  /**
   * `_scheduler/jobs` + `_stats` + `_membership`: slow cadence, or sooner when a doc's state needs
   * the history (jobs), a doc is pending (stats), or rows are missing (membership: a member down?).
   */
  async #slowReads(docs: readonly SchedulerDoc[], get: Get, notes: SideNote[]): Promise<void> {
    const { clock, slowIntervalMs, demandIntervalMs, pageSize } = this.o;
    const now = clock.now();
    const side = this.#side;
    const age = (at: number | undefined) => (at === undefined ? Number.POSITIVE_INFINITY : now - at);
    const needs = docs.some((d) => NEEDS_HISTORY.has(d.state) || d.error_count > 0);
    const pending = docs.some((d) => d.state === 'pending');
    const dropped = (this.#totalRows ?? 0) > docs.length;
    // `_membership` only for a cluster: rows name several members, rows are missing, or it was one
    // (a single CouchDB names itself only; the embedded node and PouchDB servers name none)
    const named = dropped || isMultiMember(side.membership) || new Set(docs.map((d) => d.node)).size > 1;
    const wants = {
      jobs: age(side.jobsAt) >= slowIntervalMs || (needs && age(side.jobsAt) >= demandIntervalMs),
      stats: age(side.statsAt) >= slowIntervalMs || (pending && age(side.statsAt) >= demandIntervalMs),
      membership:
        named &&
        (age(side.membershipAt) >= slowIntervalMs || (dropped && age(side.membershipAt) >= demandIntervalMs)),
      pageSize,
      now: () => clock.now(),
    };
    await slowReads(get, wants, side, notes);
  }
}

/** A `.catch` that turns a 404 into `value` and rethrows anything else. */
function notFoundAs<T>(value: T): (e: unknown) => T {
  return (e) => {
    if (isCouchError(e) && e.status === 404) return value;
    throw e;
  };
}
