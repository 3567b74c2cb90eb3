/**
 * Nodes that are CouchDB 3 clusters behind one URL. `_scheduler/docs`, `_scheduler/jobs` and
 * `_active_tasks` are cluster-wide there: every entry carries the `node` (the Erlang node name,
 * e.g. `couchdb@c2.local`) of the member that owns the `_replicator` doc and runs its job
 * (couch_replicator_clustering: one owner per doc, chosen from the shard map), and `_active_tasks`
 * names the `_replicator` **shard** as `database` (`shards/…/_replicator.<suffix>`, REFERENCE A3).
 * While membership changes (a member joins or leaves, `cluster_start_period`), two members can
 * briefly both report a job for the same doc. Telemetry keeps one entry per doc and per
 * replication id, so nothing is counted twice, and matches tasks and jobs to a doc by replication
 * id on whatever member runs them, the doc's own member first.
 */
import type { Membership } from './membership.ts';
import type { ActiveTask, SchedulerDoc, SchedulerJob } from './types.ts';

/** Of two reports of one doc, the one that describes the job now: running beats the rest. */
const STATE_RANK: Record<string, number> = {
  running: 0,
  pending: 1,
  initializing: 1,
  crashing: 2,
  error: 3,
  failed: 4,
  completed: 5,
  unknown: 6,
};

/**
 * True when `a` describes the doc better than `b`: the newest `last_updated` (the member that took
 * the doc over reports the later state change), then the healthier state, then the member name (so
 * the answer never depends on the order the members were listed in).
 */
export function preferDoc(a: SchedulerDoc, b: SchedulerDoc): boolean {
  const ta = a.last_updated ?? '';
  const tb = b.last_updated ?? '';
  if (ta !== tb) return ta > tb;
  const ra = STATE_RANK[a.state] ?? 9;
  const rb = STATE_RANK[b.state] ?? 9;
  if (ra !== rb) return ra < rb;
  return (a.node ?? '') < (b.node ?? '');
}

/** `_scheduler/docs` rows with one row per `database/doc_id` (the preferred one, in first-seen order). */
export function oneDocPerReplication(docs: readonly SchedulerDoc[]): SchedulerDoc[] {
  const byKey = new Map<string, SchedulerDoc>();
  for (const d of docs) {
    const key = `${d.database}/${d.doc_id}`;
    const cur = byKey.get(key);
    if (!cur || preferDoc(d, cur)) byKey.set(key, d);
  }
  return [...byKey.values()];
}

/**
 * The task or job of `doc` among `items` (all members' entries): by replication id, else by doc id
 * (a task's `database` is a shard name in a cluster, so the doc id is what still matches). When
 * several members report it, the doc's own member wins, then the freshest entry, then the member name.
 */
export function forDoc<T extends { doc_id: string | null; node?: string | undefined }>(
  items: readonly T[] | undefined,
  repIdOf: (t: T) => string | null,
  doc: SchedulerDoc,
  freshness: (t: T) => number,
): T | undefined {
  if (!items?.length) return undefined;
  let hits = doc.id === null ? [] : items.filter((t) => repIdOf(t) === doc.id);
  if (hits.length === 0) hits = items.filter((t) => t.doc_id === doc.doc_id);
  if (hits.length <= 1) return hits[0];
  const rank = (t: T) => (t.node !== undefined && t.node === doc.node ? 1 : 0);
  return hits.reduce((best, t) => {
    if (rank(t) !== rank(best)) return rank(t) > rank(best) ? t : best;
    if (freshness(t) !== freshness(best)) return freshness(t) > freshness(best) ? t : best;
    return (t.node ?? '') < (best.node ?? '') ? t : best;
  });
}

export const taskFreshness = (t: ActiveTask) => t.updated_on;
export const jobFreshness = (j: SchedulerJob) =>
  Date.parse(j.history[0]?.timestamp ?? j.start_time ?? '') || 0;

/** What a node's snapshot reports (snapshot.ts `NodeSnapshot`; structural, so no import cycle). */
export interface Reported {
  docs: readonly SchedulerDoc[];
  tasks: readonly ActiveTask[];
  jobs?: readonly SchedulerJob[] | undefined;
  membership?: Membership | undefined;
  totalRows?: number | undefined;
  replicatorIds?: readonly string[] | undefined;
}

const members = new WeakMap<Reported, string[]>();

/**
 * The cluster members a node's answers name (`node` of its docs, tasks and jobs), sorted. One for a
 * single CouchDB (`couchdb@127.0.0.1`), none for servers that print no `node` (the embedded node,
 * PouchDB servers); more than one means the URL is a cluster. Computed once per snapshot.
 */
export function clusterMembers(s: Reported): string[] {
  let out = members.get(s);
  if (out) return out;
  const seen = new Set<string>();
  for (const d of s.docs) if (d.node) seen.add(d.node);
  for (const t of s.tasks) if (t.node) seen.add(t.node);
  for (const j of s.jobs ?? []) if (j.node) seen.add(j.node);
  // every configured member, also those that own no doc now (or are down)
  for (const m of s.membership?.cluster ?? []) seen.add(m);
  out = [...seen].sort();
  members.set(s, out);
  return out;
}

/** True when the node answered as a cluster (more than one member named). */
export const isCluster = (s: Reported | undefined): boolean => !!s && clusterMembers(s).length > 1;

const replicatorSets = new WeakMap<Reported, Set<string>>();

/**
 * True when `docId` is absent from the node's `_scheduler/docs` because its owner is down, not
 * because it does not exist: fewer rows than `total_rows` (a cluster drops the rows of a down
 * owner's docs and keeps counting them, cluster-samples/46), and `_replicator` holds the doc (or
 * could not be read, so "missing" cannot be said).
 */
export function isUnassigned(s: Reported, docId: string): boolean {
  if (s.totalRows === undefined || s.totalRows <= s.docs.length) return false;
  if (!s.replicatorIds) return true;
  let ids = replicatorSets.get(s);
  if (!ids) {
    ids = new Set(s.replicatorIds);
    replicatorSets.set(s, ids);
  }
  return ids.has(docId);
}
