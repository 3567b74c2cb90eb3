/**
 * From a flat series of node snapshots (any order, any number of polls) to per-direction time
 * series. A direction's timeline follows its doc node's snapshots; each point is joined with the
 * other nodes' snapshots closest in time at or before it (the source's db info comes from another
 * node, polled concurrently). Everything is sorted by content, so the input order never matters.
 * This builds a series from scratch (doctor, status, tests); the poller keeps its series between
 * polls instead (series-book.ts), with the same points.
 */
import type { DirectionRef, MeshLink } from '../observe/links.ts';
import { type DirectionState, directionState, type NodeSnapshot } from '../observe/snapshot.ts';

/** Snapshots with `at <= now`, grouped by node, oldest first. */
export function byNode(snapshots: readonly NodeSnapshot[], now: number): Map<string, NodeSnapshot[]> {
  const out = new Map<string, NodeSnapshot[]>();
  for (const s of snapshots) {
    if (s.at > now) continue;
    const list = out.get(s.node) ?? [];
    list.push(s);
    out.set(s.node, list);
  }
  for (const list of out.values()) list.sort(compareSnapshots);
  return out;
}

function compareSnapshots(a: NodeSnapshot, b: NodeSnapshot): number {
  if (a.at !== b.at) return a.at - b.at;
  const ka = JSON.stringify(a);
  const kb = JSON.stringify(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Latest snapshot of `node` at or before `t` (binary search over its oldest-first list). */
function snapshotAt(list: readonly NodeSnapshot[], t: number): NodeSnapshot | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as NodeSnapshot).at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/** Snapshots of the given nodes (all nodes when omitted) as of time `t`. */
function asOf(nodes: Map<string, NodeSnapshot[]>, t: number, only?: readonly string[]) {
  const out = new Map<string, NodeSnapshot>();
  for (const name of only ?? nodes.keys()) {
    const s = snapshotAt(nodes.get(name) ?? [], t);
    if (s) out.set(name, s);
  }
  return out;
}

const holderIndexes = new WeakMap<Map<string, NodeSnapshot[]>, Map<string, string[]>>();

/**
 * Doc id -> the nodes holding it in any kept snapshot, built once per `byNode` map and only when a
 * doc is missing from its planned node: a fleet without its docs costs O(snapshots), not
 * O(directions x nodes) per evaluation.
 */
function holders(nodes: Map<string, NodeSnapshot[]>): Map<string, string[]> {
  let index = holderIndexes.get(nodes);
  if (index) return index;
  index = new Map();
  for (const [name, list] of nodes)
    for (const s of list)
      for (const d of s.docs) {
        const at = index.get(d.doc_id) ?? [];
        if (at.at(-1) !== name) at.push(name);
        index.set(d.doc_id, at);
      }
  holderIndexes.set(nodes, index);
  return index;
}

/**
 * The time series of one direction: one state per snapshot of the node that holds (or should hold)
 * its doc. `slackMs` lets a source snapshot taken just after the doc node's (same poll round) count.
 */
export function directionSeries(
  nodes: Map<string, NodeSnapshot[]>,
  link: MeshLink,
  ref: DirectionRef,
  slackMs: number,
): DirectionState[] {
  const timeline = nodes.get(ref.docNode) ?? [];
  const out: DirectionState[] = [];
  let prev: DirectionState | undefined;
  for (const snap of timeline) {
    // only the doc node and the source matter, unless the doc is not where planned (then look at
    // every node that held it: the others cannot be where it is)
    const elsewhere = snap.reachable && !snap.docs.some((d) => d.doc_id === ref.docId);
    const only = elsewhere ? [ref.from, ...(holders(nodes).get(ref.docId) ?? [])] : [ref.from];
    const latest = asOf(nodes, snap.at + slackMs, only);
    latest.set(ref.docNode, snap);
    const st = directionState(link, ref, latest, prev);
    out.push(st);
    prev = st;
  }
  return out;
}

/** Points of a series within `windowMs` before `now` (inclusive), oldest first. */
export const within = (series: readonly DirectionState[], now: number, windowMs: number) =>
  series.filter((s) => s.at !== null && s.at >= now - windowMs);

/** Sum of increases of a counter across a series, counting a drop as a reset (stats restart at 0). */
export function risen(series: readonly DirectionState[], pick: (s: DirectionState) => number | null): number {
  let total = 0;
  let last: number | null = null;
  for (const s of series) {
    const v = pick(s);
    if (v === null) continue;
    if (last !== null) total += v >= last ? v - last : v;
    last = v;
  }
  return total;
}
