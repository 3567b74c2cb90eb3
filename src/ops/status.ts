/**
 * The status report: one row per link direction (state, reason, lag heuristic, pending, written,
 * failures, checkpoint age) and per node, plus the findings of the poll it is made from.
 */
import type { CanaryFields } from '../canary/fields.ts';
import type { Finding, Severity } from '../health/types.ts';
import { checkpointTime, readCheckpointDoc, repIdBase } from '../observe/checkpoints.ts';
import { clusterMembers, isCluster } from '../observe/cluster.ts';
import { downMembers } from '../observe/membership.ts';
import type { SideNote } from '../observe/side-reads.ts';
import type { DirectionState, LinkView, NodeSnapshot } from '../observe/snapshot.ts';
import type { ReplicatorStats } from '../observe/types.ts';
import { mapLimit } from '../plan/observe.ts';
import type { PollResult } from '../watch/poller.ts';
import type { OpenMesh } from './mesh.ts';

/** `canary_ms` (+ p50/p95) when the mesh's canary is on (status runs one round; the controller its history) */
export interface DirectionRow extends CanaryFields {
  link: string;
  db: string;
  direction: string;
  from: string;
  to: string;
  doc_node: string | null;
  state: string;
  reason: string | null;
  error_count: number;
  next_retry_at: string | null;
  /** source update_seq - checkpointed_source_seq by numeric seq prefix: a heuristic */
  lag_estimate: number | null;
  lag_heuristic: true;
  changes_pending: number | null;
  docs_written: number | null;
  /** docs written per second since the previous poll (--watch), null when unknown */
  docs_written_per_s: number | null;
  doc_write_failures: number | null;
  checkpointed_seq: string | number | null;
  /** ms since the checkpoint last changed */
  checkpoint_age_ms: number | null;
  /** `checkpoint-doc`: from the _local doc's newest history end_time; `observed`: a lower bound */
  checkpoint_age_basis: 'checkpoint-doc' | 'observed' | null;
  rep_id: string | null;
  confidence: 'full' | 'reduced' | null;
  /** the cluster member running the job, only when the doc node is a CouchDB cluster */
  cluster_node?: string;
}

export interface NodeRow {
  node: string;
  reachable: boolean;
  confidence: 'full' | 'reduced';
  error?: { code: string; message: string };
  docs: number;
  requests: number;
  /**
   * a node declared with `members:` (mesh.yaml): the member URL that answered the control plane's
   * reads (the client fails over between members, src/couch/members.ts), as plan/apply --json say it
   */
  member?: string;
  /** the members named by a node that is a CouchDB cluster (absent for a single server) */
  cluster_members?: string[];
  /** configured members the cluster node is not connected to (`_membership`; absent when none) */
  members_down?: string[];
  /** per member of a cluster: its own `_stats` job gauges (never one member's read as the cluster's) */
  member_jobs?: Record<string, ReplicatorStats['jobs']>;
  /** side reads that failed this poll: their data is absent, the node still answered */
  notes?: SideNote[];
}

export interface StatusReport {
  mesh: string;
  file: string;
  at: string;
  poll: number;
  summary: {
    nodes: number;
    nodes_reachable: number;
    directions: number;
    by_state: Record<string, number>;
    findings: Record<Severity, number>;
    requests: number;
    poll_ms: number;
  };
  nodes: NodeRow[];
  directions: DirectionRow[];
  findings: Finding[];
  /** set when rows were filtered (status-filter.ts); `summary` still counts the whole mesh */
  filtered?: StatusFiltered;
}

/** What a filtered report says about its filter. */
export interface StatusFiltered {
  problems: boolean;
  links: string[];
  states: string[];
  shown: { directions: number; nodes: number; findings: number };
}

/** Checkpoint times read from `_local` docs (status reads the source side once per direction). */
export type CheckpointTimes = Map<string, { repId: string; at: number | null }>;

const dirKey = (v: { link: string; db: string }, d: { direction: string }) =>
  `${v.link}|${v.db}|${d.direction}`;

function rows(
  views: readonly LinkView[],
  now: number,
  times: CheckpointTimes,
  previous: Map<string, DirectionState>,
): DirectionRow[] {
  return views.flatMap((v) =>
    v.directions.map((d): DirectionRow => {
      const prev = previous.get(dirKey(v, d));
      const t = times.get(dirKey(v, d));
      const fromDoc = t && t.repId === d.repId && t.at !== null ? now - t.at : null;
      const observedAge = d.checkpointAge;
      const age =
        fromDoc !== null && (observedAge === null || fromDoc >= observedAge)
          ? { ms: fromDoc, basis: 'checkpoint-doc' as const }
          : observedAge !== null
            ? { ms: observedAge, basis: 'observed' as const }
            : { ms: null, basis: null };
      const rate =
        prev && prev.repId === d.repId && prev.at !== null && d.at !== null && d.at > prev.at
          ? d.docsWritten !== null && prev.docsWritten !== null && d.docsWritten >= prev.docsWritten
            ? ((d.docsWritten - prev.docsWritten) * 1000) / (d.at - prev.at)
            : null
          : null;
      return {
        link: v.link,
        db: v.db,
        direction: d.direction,
        from: d.from,
        to: d.to,
        doc_node: d.docNode,
        state: d.state,
        reason: d.reason,
        error_count: d.errorCount,
        next_retry_at: d.nextRetryAt === null ? null : new Date(d.nextRetryAt).toISOString(),
        lag_estimate: d.lagEstimate,
        lag_heuristic: true,
        changes_pending: d.changesPending,
        docs_written: d.docsWritten,
        docs_written_per_s: rate === null ? null : Math.round(rate * 10) / 10,
        doc_write_failures: d.docWriteFailures,
        checkpointed_seq: d.checkpointedSeq,
        checkpoint_age_ms: age.ms === null ? null : Math.max(0, age.ms),
        checkpoint_age_basis: age.basis,
        rep_id: d.repId,
        confidence: d.confidence,
        ...(d.clusterNode ? { cluster_node: d.clusterNode } : {}),
      };
    }),
  );
}

export function statusReport(
  m: OpenMesh,
  r: PollResult,
  times: CheckpointTimes = new Map(),
  previous: readonly LinkView[] = [],
): StatusReport {
  const prev = new Map(previous.flatMap((v) => v.directions.map((d) => [dirKey(v, d), d] as const)));
  const directions = rows(r.views, r.at, times, prev);
  const byState: Record<string, number> = {};
  for (const d of directions) byState[d.state] = (byState[d.state] ?? 0) + 1;
  const findings: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of r.findings) findings[f.severity]++;
  return {
    mesh: m.spec.mesh,
    file: m.file,
    at: new Date(r.at).toISOString(),
    poll: r.poll,
    summary: {
      nodes: r.snapshots.length,
      nodes_reachable: r.snapshots.filter((s) => s.reachable).length,
      directions: directions.length,
      by_state: byState,
      findings,
      requests: r.requests.total,
      poll_ms: r.at - r.startedAt,
    },
    nodes: r.snapshots.map((s) => ({
      node: s.node,
      reachable: s.reachable,
      confidence: s.confidence,
      ...(s.error ? { error: s.error } : {}),
      docs: s.docs.length,
      requests: r.requests.byNode[s.node] ?? 0,
      ...answeredBy(m, s),
      ...clusterFields(s),
    })),
    directions,
    findings: r.findings,
  };
}

/** The member that answered a node with `members:` (none while it is unreachable: none answered). */
function answeredBy(m: Pick<OpenMesh, 'clients'>, s: NodeSnapshot): Pick<NodeRow, 'member'> {
  // a report made from a poll alone (a recorded or simulated fleet) may come without clients
  const client = m.clients?.get(s.node);
  return client?.members.length && s.reachable ? { member: client.member } : {};
}

/** What a node row says of a cluster (members, those down, per-member jobs) and of failed side reads. */
function clusterFields(s: NodeSnapshot): Partial<NodeRow> {
  const down = downMembers(s.membership);
  const jobs = s.memberStats
    ? Object.fromEntries(Object.entries(s.memberStats).map(([m, st]) => [m, st.jobs]))
    : undefined;
  return {
    ...(isCluster(s) ? { cluster_members: clusterMembers(s) } : {}),
    ...(down.length ? { members_down: down } : {}),
    ...(jobs ? { member_jobs: jobs } : {}),
    ...(s.notes?.length ? { notes: s.notes } : {}),
  };
}

/**
 * Reads the source-side checkpoint doc of every direction with a replication id (bounded
 * concurrency): its newest history `end_time` is when the checkpoint last moved.
 */
export async function checkpointTimes(m: OpenMesh, views: readonly LinkView[]): Promise<CheckpointTimes> {
  const todo = views.flatMap((v) =>
    v.directions
      .filter((d) => d.repId !== null && d.observed)
      .map((d) => ({ v, d, repId: d.repId as string })),
  );
  const out: CheckpointTimes = new Map();
  await mapLimit(todo, 8, async ({ v, d, repId }) => {
    const side = await readCheckpointDoc(d.from, m.clients.get(d.from), v.db, repIdBase(repId));
    if (!side.error) out.set(dirKey(v, d), { repId, at: checkpointTime(side.doc) });
  });
  return out;
}
