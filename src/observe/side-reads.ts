/**
 * A node's side reads: everything but `_scheduler/docs` (the main read, whose network failure
 * makes the node unreachable) — `_active_tasks`, `_scheduler/jobs`, `_stats/couch_replicator`,
 * `_membership` and, when rows are missing, the `_replicator` doc ids. A side read that fails drops
 * its data with a note and never makes the node unreachable: on a CouchDB 3.5 cluster
 * `_scheduler/jobs` answers 500 (`function_clause`) while a member goes down, though every other
 * endpoint answers (issue 17). A bug (TypeError...) is not a node's answer and propagates.
 *
 * On a cluster (`_membership` names several members) `_node/_local/_stats` is one member's
 * (cluster-samples/81: each member reports its own jobs), so each live member's
 * `_node/<member>/_stats/couch_replicator` is read and kept per member, and the node's `stats` is
 * their sum: never one member's read as the cluster's.
 */
import { isCouchError } from '../couch/errors.ts';
import { isNodeFailure } from '../plan/node-failure.ts';
import { isMultiMember, liveMembers, type Membership, parseMembership } from './membership.ts';
import { parseReplicatorStats, parseSchedulerJobsPage } from './parse.ts';
import type { ReplicatorStats, SchedulerDoc, SchedulerJob } from './types.ts';

/** A side read that failed: its data is absent from the snapshot. */
export interface SideNote {
  /** the endpoint, e.g. `_scheduler/jobs` */
  read: string;
  code: string;
  message: string;
}

type Query = Record<string, string | number | boolean>;
export type SideGet = <T>(path: string, query?: Query) => Promise<T>;

/**
 * `p`'s value, or `undefined` with a note when the node's answer was a failure (404 is "this server
 * does not have it": `undefined` without a note). Anything that is not a node failure propagates.
 */
export async function sideRead<T>(read: string, p: Promise<T>, notes: SideNote[]): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return undefined;
    if (!isNodeFailure(e)) throw e;
    notes.push({ read, code: e.code, message: e.message });
    return undefined;
  }
}

/** What the slow side reads add to a snapshot. */
export interface SlowSide {
  jobs?: SchedulerJob[];
  jobsAt?: number;
  stats?: ReplicatorStats;
  statsAt?: number;
  memberStats?: Record<string, ReplicatorStats>;
  membership?: Membership;
  membershipAt?: number;
}

/** When the slow reads are due (NodePoll's cadence). */
export interface SlowWants {
  jobs: boolean;
  stats: boolean;
  membership: boolean;
  pageSize: number;
  now: () => number;
}

/** Sum of members' `_stats`: every numeric path added up. */
export function sumStats(list: readonly ReplicatorStats[]): ReplicatorStats {
  const values: Record<string, number> = {};
  for (const s of list) for (const [k, v] of Object.entries(s.values)) values[k] = (values[k] ?? 0) + v;
  const g = (k: 'running' | 'pending' | 'crashed' | 'total') => list.reduce((n, s) => n + s.jobs[k], 0);
  return {
    values,
    jobs: { running: g('running'), pending: g('pending'), crashed: g('crashed'), total: g('total') },
  };
}

/**
 * Reads what is due into `into` (left as it was for what is not due; cleared for what failed, with a
 * note). `_membership` is read first when due: it decides how `_stats` is read.
 */
export async function slowReads(get: SideGet, w: SlowWants, into: SlowSide, notes: SideNote[]) {
  if (w.membership) {
    const m = await sideRead('_membership', get<unknown>('/_membership'), notes);
    if (m === undefined) delete into.membership;
    else into.membership = parseMembership(m);
    into.membershipAt = w.now();
  }
  await Promise.all([
    w.jobs
      ? sideRead('_scheduler/jobs', get<unknown>('/_scheduler/jobs', { limit: w.pageSize }), notes).then(
          (j) => {
            if (j === undefined) delete into.jobs;
            else into.jobs = parseSchedulerJobsPage(j).jobs;
            into.jobsAt = w.now();
          },
        )
      : undefined,
    w.stats
      ? readStats(get, into, notes).then(() => {
          into.statsAt = w.now();
        })
      : undefined,
  ]);
}

async function readStats(get: SideGet, into: SlowSide, notes: SideNote[]): Promise<void> {
  const members = isMultiMember(into.membership) ? liveMembers(into.membership) : [];
  if (members.length === 0) {
    const s = await sideRead('_stats', get<unknown>('/_node/_local/_stats/couch_replicator'), notes);
    delete into.memberStats;
    if (s === undefined) delete into.stats;
    else into.stats = parseReplicatorStats(s);
    return;
  }
  const read = await Promise.all(
    members.map(async (m) => {
      const path = `/_node/${encodeURIComponent(m)}/_stats/couch_replicator`;
      const s = await sideRead(`_node/${m}/_stats`, get<unknown>(path), notes);
      return [m, s === undefined ? undefined : parseReplicatorStats(s)] as const;
    }),
  );
  const per: Record<string, ReplicatorStats> = {};
  for (const [m, s] of read) if (s) per[m] = s;
  into.memberStats = per;
  const got = Object.values(per);
  if (got.length) into.stats = sumStats(got);
  else delete into.stats;
}

/**
 * `_scheduler/docs` answered fewer rows than its `total_rows`: on a cluster the docs whose owner
 * is down are dropped, not listed (cluster-samples/46: `total_rows: 4`, 2 rows, for 20 s+). The
 * `_replicator` ids say which of the absent docs exist (so they are "unassigned", not "missing").
 */
export async function replicatorIds(
  get: SideGet,
  docs: readonly SchedulerDoc[],
  totalRows: number,
  notes: SideNote[],
): Promise<string[] | undefined> {
  if (totalRows <= docs.length) return undefined;
  const r = await sideRead(
    '_replicator/_all_docs',
    get<{ rows: Array<{ id: string }> }>('/_replicator/_all_docs'),
    notes,
  );
  return r?.rows.map((x) => x.id).filter((id) => !id.startsWith('_design/'));
}
