/**
 * Rules of nodes that are CouchDB 3 clusters (issue 17), pure over recorded series with an injected
 * `now`. What a membership change looks like from outside, and is not a fault:
 * - a member stops: `_membership` lists it in `cluster_nodes` but not `all_nodes`, and
 *   `_scheduler/docs` drops the rows of the docs it owned while `total_rows` still counts them
 *   (cluster-samples/46, 20 s+): `member-down` for the node, `unassigned` (not `doc-missing`) for them;
 * - jobs move between members: `initializing` for about the quiet period (59), and a crash
 *   `Duplicate replication running on <member>` while the old owner still runs it (54):
 *   `handoff` (info), not `crashing`, until the quiet period is over.
 */

import { downMembers, liveMembers } from '../observe/membership.ts';
import type { DirectionState } from '../observe/snapshot.ts';
import { type DirectionContext, dirFinding, dur, label, last, nodeFinding, trailingRun } from './finding.ts';
import { PLAYBOOK } from './playbook.ts';
import type { NodeMark } from './series-book.ts';
import type { Finding, HealthThresholds } from './types.ts';

/** couch_replicator_scheduler's crash message when the job already runs on another member. */
const DUPLICATE = /Duplicate replication running on/;

/** A point of a cluster's direction that looks like a job moving between members (never a single node's). */
const moving = (s: DirectionState) =>
  s.clusterNode !== undefined &&
  (s.state === 'initializing' || (s.state === 'crashing' && DUPLICATE.test(s.reason ?? '')));

/**
 * Since when the direction has been moving between members, when that is within the quiet period
 * (measured from the first point of the trailing run); null when it is not moving, or for longer.
 */
export function handoffSince(
  series: readonly DirectionState[],
  now: number,
  t: Pick<HealthThresholds, 'clusterQuietPeriodMs'>,
): number | null {
  const s = last(series);
  if (!s || !moving(s)) return null;
  const since = trailingRun(series, moving)[0]?.at ?? s.at;
  if (since === null) return null;
  return now - since <= t.clusterQuietPeriodMs ? since : null;
}

/** `handoff`: info while the job moves within the quiet period; a warning when it stays `initializing`. */
export function handoffRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (!s || !moving(s)) return null;
  const since = trailingRun(ctx.series, moving)[0]?.at ?? s.at ?? ctx.now;
  const forMs = ctx.now - since;
  const within = forMs <= ctx.t.clusterQuietPeriodMs;
  // a Duplicate crash past the quiet period is a real duplicate: the crashing rule reports it
  if (!within && s.state !== 'initializing') return null;
  const evidence = {
    state: s.state,
    member: s.clusterNode ?? null,
    movingForMs: forMs,
    quietPeriodMs: ctx.t.clusterQuietPeriodMs,
    reason: s.reason,
  };
  const on = s.clusterNode ? ` on ${s.clusterNode}` : '';
  const what = s.state === 'initializing' ? 'initializing' : `${s.reason}`;
  const msg = within
    ? `${label(s)} is moving between cluster members (${what}${on}) for ${dur(forMs)}, within the quiet period (${dur(ctx.t.clusterQuietPeriodMs)}): not a crash`
    : `${label(s)} has been initializing${on} for ${dur(forMs)}, longer than the cluster's quiet period (${dur(ctx.t.clusterQuietPeriodMs)})`;
  return dirFinding(s, 'handoff', within ? 'info' : 'warning', evidence, msg, PLAYBOOK.handoff);
}

/** `unassigned`: the doc exists, its owner is down; info during the quiet period, then a warning. */
export function unassignedRule(ctx: DirectionContext): Finding | null {
  const s = last(ctx.series);
  if (s?.state !== 'unassigned') return null;
  const since = trailingRun(ctx.series, (x) => x.state === 'unassigned')[0]?.at ?? s.at ?? ctx.now;
  const forMs = ctx.now - since;
  const snap = ctx.docNode;
  const down = downMembers(snap?.membership);
  const evidence = {
    docNode: ctx.ref.docNode,
    docId: s.docId,
    downMembers: down.length ? down.join(',') : null,
    totalRows: snap?.totalRows ?? null,
    rows: snap?.docs.length ?? null,
    unassignedForMs: forMs,
  };
  const owner = down.length ? `its owner is down (${down.join(', ')})` : 'its owner member is down';
  const msg = `${label(s)}: ${s.docId} exists on ${ctx.ref.docNode} but ${owner}: no member runs it for ${dur(forMs)} (_scheduler/docs: ${evidence.rows} of ${evidence.totalRows} rows)`;
  const severity = forMs <= ctx.t.clusterQuietPeriodMs ? 'info' : 'warning';
  return dirFinding(s, 'unassigned', severity, evidence, msg, PLAYBOOK.unassigned);
}

/** `member-down`: the node's `_membership` names configured members it is not connected to. */
export function memberDownRule(node: string, series: readonly NodeMark[], now: number): Finding | null {
  const s = last(series);
  if (!s?.reachable || !s.membership) return null;
  const down = downMembers(s.membership);
  if (down.length === 0) return null;
  const key = down.join(',');
  // since the first poll of the trailing run naming the same members down (a lower bound)
  const run = trailingRun(
    series,
    (x) => !x.reachable || !x.membership || downMembers(x.membership).join(',') === key,
  );
  const since = run.find((x) => x.membership)?.at ?? s.at;
  const live = liveMembers(s.membership).length;
  const total = s.membership.cluster.length;
  // without a majority of members, n=3 databases lose their write quorum (w=2)
  const severity = live * 2 <= total ? 'critical' : 'warning';
  const evidence = { downMembers: key, down: down.length, live, clusterNodes: total, downForMs: now - since };
  const msg = `node ${node}: cluster member${down.length > 1 ? 's' : ''} ${down.join(', ')} down (in cluster_nodes, not in all_nodes) for ≥ ${dur(now - since)}; ${live} of ${total} members answer`;
  return nodeFinding(node, 'member-down', severity, evidence, msg, PLAYBOOK.memberDown);
}
