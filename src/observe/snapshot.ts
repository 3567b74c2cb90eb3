/**
 * The per-poll observation of a node, as data, and `linkView`: the pure join of the two directions
 * of each mesh link with their `_replicator` doc, scheduler doc, active task, job and source db info.
 * `_scheduler/docs` is the primary source: pending and crashing jobs are absent from
 * `_active_tasks` (REFERENCE A3, A7), which only refines the stats of running jobs (updated every 1 s).
 */

import { type Seq, seqDistance, seqEquals } from '../couchdb/seq.ts';
import { errorOf, lastCrash, nextRetryAt, parseTime, statsOf } from './backoff.ts';
import { forDoc, isCluster, isUnassigned, jobFreshness, taskFreshness } from './cluster.ts';
import { type DirectionRef, directionKey, type MeshLink } from './links.ts';
import type { Membership } from './membership.ts';
import type { SideNote } from './side-reads.ts';
import type {
  ActiveTask,
  DbInfo,
  DocState,
  ReplicatorStats,
  RepStats,
  SchedulerDoc,
  SchedulerJob,
} from './types.ts';

export interface DbSeqInfo {
  updateSeq: Seq;
  /** `"0"` on clustered 3.x dbs: a change is only meaningful when neither side is "0" (A3) */
  instanceStartTime: string;
}

export interface NodeSnapshot {
  /** mesh node name */
  node: string;
  /** epoch ms when the poll of this node completed */
  at: number;
  reachable: boolean;
  error?: { code: string; message: string };
  /** `reduced`: no scheduler API, docs synthesized from `_replicator` states (observe/reduced.ts) */
  confidence: 'full' | 'reduced';
  /** every `_scheduler/docs` row (all pages) */
  docs: SchedulerDoc[];
  /** `_active_tasks` replication entries */
  tasks: ActiveTask[];
  /** by db name: the source side of each direction */
  dbInfo: Record<string, DbSeqInfo>;
  /** `_scheduler/jobs` (history, crash reasons): read at a slower cadence, with `jobsAt` */
  jobs?: SchedulerJob[];
  jobsAt?: number;
  /** `_node/_local/_stats/couch_replicator` (on a cluster the sum of `memberStats`): slower cadence, with `statsAt` */
  stats?: ReplicatorStats;
  statsAt?: number;
  /** on a cluster: each live member's `_node/<member>/_stats/couch_replicator` (`stats` is their sum) */
  memberStats?: Record<string, ReplicatorStats>;
  /** `_scheduler/docs` `total_rows`: above `docs.length` when a cluster drops a down owner's rows */
  totalRows?: number;
  /** `_replicator` doc ids, read only when rows are missing (`totalRows` > rows): unassigned vs missing */
  replicatorIds?: string[];
  /** `_membership` (slow cadence, and at once when rows are missing) */
  membership?: Membership;
  membershipAt?: number;
  /** side reads that failed this poll: their data is absent, the node still answered (side-reads.ts) */
  notes?: SideNote[];
}

export const dbSeqInfo = (i: DbInfo): DbSeqInfo => ({
  updateSeq: i.update_seq,
  instanceStartTime: i.instance_start_time,
});

/** The snapshot of a node that did not answer. */
export const unreachableSnapshot = (
  node: string,
  at: number,
  error: { code: string; message: string },
): NodeSnapshot => ({
  node,
  at,
  reachable: false,
  error,
  confidence: 'full',
  docs: [],
  tasks: [],
  dbInfo: {},
});

export interface DirectionState {
  link: string;
  db: string;
  from: string;
  to: string;
  /** `from->to` */
  direction: string;
  docId: string;
  /** node where the doc was found (the planned node first, any other node as a fallback) */
  docNode: string | null;
  mode: 'pull' | 'push';
  /** time of the doc node's snapshot; null when no snapshot of it */
  at: number | null;
  /** false when the doc node is unreachable or was not polled (state `unknown`) */
  observed: boolean;
  confidence: 'full' | 'reduced' | null;
  /** `missing`: the doc node holds no such doc; `unassigned`: it does, but its cluster owner is down (cluster.ts) */
  state: DocState | 'missing' | 'unassigned';
  repId: string | null;
  /** `info.error`, else the newest crash reason of the job's history */
  reason: string | null;
  errorCount: number;
  /** `last_updated`: time of the job's newest history event (the state change) */
  stateSince: number | null;
  /** `start_time`: when the job was added (a recreated `_replicator` doc starts a new job) */
  jobStart: number | null;
  lastCrashAt: number | null;
  /** earliest restart of a crashing job (observe/backoff.ts) */
  nextRetryAt: number | null;
  /** crashed events of `_scheduler/jobs` history, newest first (empty without jobs) */
  crashes: Array<{ at: number | null; reason: string | null }>;
  checkpointIntervalMs: number;
  checkpointedSeq: Seq | null;
  throughSeq: Seq | null;
  /** source db `update_seq` from db info, else the job's `source_seq` */
  sourceSeq: Seq | null;
  sourceSeqOrigin: 'db-info' | 'job' | null;
  sourceInstance: string | null;
  /** seq-prefix distance source - checkpointed, >= 0: a HEURISTIC (couchdb/seq.ts) */
  lagEstimate: number | null;
  lagHeuristic: true;
  changesPending: number | null;
  docsRead: number | null;
  docsWritten: number | null;
  docWriteFailures: number | null;
  revisionsChecked: number | null;
  missingFound: number | null;
  /**
   * when the current checkpointed seq was first observed (needs a previous view; null = unknown). A
   * lower bound when the seq was already there at the first observation.
   */
  checkpointSince: number | null;
  checkpointAge: number | null;
  /** the cluster member running the job, only when the doc node is a CouchDB cluster (cluster.ts) */
  clusterNode?: string;
}

export interface LinkView {
  mesh: string;
  link: string;
  db: string;
  directions: readonly [DirectionState, DirectionState];
}

/** Latest snapshot per node; ties on `at` resolved by content so input order never matters. */
export function latestByNode(snapshots: readonly NodeSnapshot[]): Map<string, NodeSnapshot> {
  const out = new Map<string, NodeSnapshot>();
  for (const s of snapshots) {
    const cur = out.get(s.node);
    if (!cur || s.at > cur.at || (s.at === cur.at && tieKey(s) > tieKey(cur))) out.set(s.node, s);
  }
  return out;
}
const tieKey = (s: NodeSnapshot) => `${s.reachable ? 1 : 0}:${s.docs.length}:${s.tasks.length}`;

/**
 * Joins each link's two directions, from one poll's snapshots (the latest per node is used).
 * `previous` (the views of the poll before) carries `checkpointSince` forward.
 */
export function linkView(
  snapshots: readonly NodeSnapshot[],
  links: readonly MeshLink[],
  previous: readonly LinkView[] = [],
): LinkView[] {
  const latest = latestByNode(snapshots);
  const prev = new Map(
    previous.flatMap((v) => v.directions.map((d) => [dirId(v.link, v.db, d.direction), d])),
  );
  return links.map((l) => {
    const dir = (ref: DirectionRef) =>
      directionState(l, ref, latest, prev.get(dirId(l.link, l.db, directionKey(ref.from, ref.to))));
    return { mesh: l.mesh, link: l.link, db: l.db, directions: [dir(l.directions[0]), dir(l.directions[1])] };
  });
}

const dirId = (link: string, db: string, direction: string) => `${link}\0${db}\0${direction}`;

/** The doc on its planned node, else on any other reachable node (sorted by name). */
function findDoc(ref: DirectionRef, latest: Map<string, NodeSnapshot>) {
  const planned = latest.get(ref.docNode);
  const onPlanned = planned?.docs.find((d) => d.doc_id === ref.docId);
  if (onPlanned) return { snap: planned, doc: onPlanned };
  return docIndex(latest).get(ref.docId) ?? { snap: planned, doc: undefined };
}

type DocHit = { snap: NodeSnapshot; doc: SchedulerDoc };
const docIndexes = new WeakMap<Map<string, NodeSnapshot>, Map<string, DocHit>>();

/**
 * Every doc of `latest` by id, first node by name winning: built once per map, so a poll where
 * many docs are missing from their planned node (a fleet not applied yet) costs O(docs), not
 * O(directions x nodes). Callers build a new map per call and do not change it after the first lookup.
 */
function docIndex(latest: Map<string, NodeSnapshot>): Map<string, DocHit> {
  let index = docIndexes.get(latest);
  if (index) return index;
  index = new Map();
  for (const name of [...latest.keys()].sort()) {
    const snap = latest.get(name) as NodeSnapshot;
    for (const doc of snap.docs) if (!index.has(doc.doc_id)) index.set(doc.doc_id, { snap, doc });
  }
  docIndexes.set(latest, index);
  return index;
}

/** One direction of a link, from the doc node's and the source node's latest snapshots. */
export function directionState(
  link: MeshLink,
  ref: DirectionRef,
  latest: Map<string, NodeSnapshot>,
  prev?: DirectionState,
): DirectionState {
  const { snap, doc } = findDoc(ref, latest);
  const observed = !!snap?.reachable;
  // matched by replication id across cluster members (cluster.ts), the doc's own member first
  const task = doc ? forDoc(snap?.tasks, (t) => t.replication_id, doc, taskFreshness) : undefined;
  const job = doc ? forDoc(snap?.jobs, (j) => j.id, doc, jobFreshness) : undefined;
  // only docs that name a member can come from a cluster (and the member scan is then paid once per node)
  // the member a running job's task runs on; for any other state the doc's own member, whose log has
  // its crash (a `Duplicate replication` crash is on the new owner while the old one still runs it)
  const clusterNode =
    doc?.node && isCluster(snap)
      ? doc.state === 'running'
        ? (task?.node ?? doc.node)
        : doc.node
      : undefined;
  // a crashing / failed job has no live stats: the last `_scheduler/jobs` read may predate the crash
  const broken = doc?.state === 'crashing' || doc?.state === 'error' || doc?.state === 'failed';
  const stats: RepStats | null = task ?? statsOf(doc) ?? (broken ? null : job?.info) ?? null;
  const source = latest.get(ref.from);
  const db = source?.reachable ? source.dbInfo[link.db] : undefined;
  const crash = lastCrash(doc, job);
  const absent = snap && isUnassigned(snap, ref.docId) ? 'unassigned' : 'missing';
  const state: DirectionState['state'] = !observed ? 'unknown' : doc ? doc.state : absent;
  const errorCount = doc?.error_count ?? 0;
  const checkpointedSeq = stats?.checkpointed_source_seq ?? null;
  const sourceSeq = db?.updateSeq ?? stats?.source_seq ?? null;
  const at = snap?.at ?? null;
  const since = checkpointSinceOf(prev, doc?.id ?? null, checkpointedSeq, at);
  const lag = seqDistance(sourceSeq, checkpointedSeq);
  return {
    link: link.link,
    db: link.db,
    from: ref.from,
    to: ref.to,
    direction: directionKey(ref.from, ref.to),
    docId: ref.docId,
    docNode: doc ? (snap?.node ?? null) : null,
    mode: ref.mode,
    at,
    observed,
    confidence: snap ? snap.confidence : null,
    state,
    repId: doc?.id ?? null,
    reason: errorOf(doc) ?? (state === 'crashing' || state === 'error' ? (crash?.reason ?? null) : null),
    errorCount,
    stateSince: parseTime(doc?.last_updated),
    jobStart: parseTime(doc?.start_time),
    lastCrashAt: crash?.at ?? null,
    nextRetryAt: nextRetryAt(state, errorCount, crash?.at),
    crashes: (job?.history ?? [])
      .filter((e) => e.type === 'crashed')
      .map((e) => ({ at: parseTime(e.timestamp), reason: e.reason ?? null })),
    checkpointIntervalMs: task?.checkpoint_interval ?? ref.checkpointIntervalMs,
    checkpointedSeq,
    throughSeq: stats?.through_seq ?? null,
    sourceSeq,
    sourceSeqOrigin: db ? 'db-info' : stats?.source_seq !== undefined ? 'job' : null,
    sourceInstance: db?.instanceStartTime ?? null,
    lagEstimate: lag === null ? null : Math.max(0, lag),
    lagHeuristic: true,
    changesPending: stats?.changes_pending ?? null,
    docsRead: stats?.docs_read ?? null,
    docsWritten: stats?.docs_written ?? null,
    docWriteFailures: stats?.doc_write_failures ?? null,
    revisionsChecked: stats?.revisions_checked ?? null,
    missingFound: stats?.missing_revisions_found ?? null,
    checkpointSince: since,
    checkpointAge: since === null || at === null ? null : at - since,
    ...(clusterNode ? { clusterNode } : {}),
  };
}

function checkpointSinceOf(
  prev: DirectionState | undefined,
  repId: string | null,
  seq: Seq | null,
  at: number | null,
): number | null {
  if (!prev || prev.at === null || at === null || seq === null) return null;
  // unchanged since the previous poll: keep its time, or that poll's time (a lower bound) when the
  // seq was already there at the first observation
  if (prev.repId === repId && seqEquals(prev.checkpointedSeq, seq)) return prev.checkpointSince ?? prev.at;
  return at;
}
