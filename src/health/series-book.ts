/**
 * The health rules' memory, kept compact and built incrementally: per direction its series of
 * DirectionStates (one point per snapshot of the doc node, as `directionSeries` builds it), per node
 * a mark of each poll (what the node rules read: time, reachability, error), and of every node only
 * its newest raw snapshot (the join's "as of" reads and the doc node's `_stats`).
 *
 * Why: the poller used to keep every raw snapshot of the window (~0.7 MiB per node at 10 links and
 * 20 polls) and rebuild the series from them; at 1,000 nodes the garbage collector's marking of that
 * ring cost more than the polls. A point is computed once, when its doc node's snapshot arrives,
 * with exactly the inputs `directionSeries` would join (the source's latest snapshot at or before
 * the point plus `slackMs`, the holders of a doc found elsewhere), so the rules give the same
 * findings (health-book-equivalence.test.ts). Batches must come in time order, as polls do: the
 * snapshots of the previous poll all precede the current one's, so "as of" a time in this poll is
 * one of this poll's snapshots or the newest one before it: one per node is kept between polls.
 */
import type { DirectionRef, MeshLink } from '../observe/links.ts';
import { type DirectionState, directionState, type NodeSnapshot } from '../observe/snapshot.ts';
import { compactPoint } from './series-compact.ts';

/** What the node rules read of a node's poll (a NodeSnapshot is one). */
export type NodeMark = Pick<
  NodeSnapshot,
  'node' | 'at' | 'reachable' | 'confidence' | 'error' | 'membership'
> & {
  readonly docs: { readonly length: number };
};

interface Track {
  link: MeshLink;
  ref: DirectionRef;
  /** oldest first; `times[i]`: the doc node snapshot's `at` of `points[i]` (a point's own `at` may be another node's) */
  points: DirectionState[];
  times: number[];
}

interface NodeTrack {
  marks: NodeMark[];
  /** the newest raw snapshot after a batch (and the batch's own while it is joined) */
  recent: NodeSnapshot[];
}

export class SeriesBook {
  readonly #nodes = new Map<string, NodeTrack>();
  /** directions by the node that should hold their doc (the timeline they follow) */
  readonly #byDocNode = new Map<string, Track[]>();
  readonly #tracks: Track[] = [];

  constructor(
    links: readonly MeshLink[],
    /** a source snapshot up to this much later than the doc node's still joins it (same poll round) */
    private readonly slackMs: number,
    /** how long points and marks are kept */
    private readonly retainMs: number,
  ) {
    for (const link of links)
      for (const ref of link.directions) {
        const t: Track = { link, ref, points: [], times: [] };
        this.#tracks.push(t);
        const list = this.#byDocNode.get(ref.docNode) ?? [];
        list.push(t);
        this.#byDocNode.set(ref.docNode, list);
      }
  }

  /** Adds one poll's snapshots: a point per direction whose doc node is among them, then trims. */
  add(snapshots: readonly NodeSnapshot[], now: number): void {
    const batch = [...snapshots].sort((a, b) => a.at - b.at);
    for (const s of batch) {
      const n = this.#node(s.node);
      n.recent.push(s);
      n.marks.push(markOf(s));
    }
    let holders: Map<string, string[]> | undefined;
    for (const s of batch)
      for (const track of this.#byDocNode.get(s.node) ?? []) {
        const { ref } = track;
        const latest = new Map<string, NodeSnapshot>();
        const from = this.#asOf(ref.from, s.at + this.slackMs);
        if (from) latest.set(ref.from, from);
        // the doc not where planned: every node whose snapshot as of then may hold it (directionSeries' holders)
        if (s.reachable && !s.docs.some((d) => d.doc_id === ref.docId)) {
          holders ??= this.#holders();
          for (const name of holders.get(ref.docId) ?? []) {
            const h = this.#asOf(name, s.at + this.slackMs);
            if (h) latest.set(name, h);
          }
        }
        latest.set(ref.docNode, s);
        const prev = track.points.at(-1);
        track.points.push(compactPoint(directionState(track.link, ref, latest, prev), prev));
        track.times.push(s.at);
      }
    this.#trim(now - this.retainMs);
  }

  /** Node names with marks, and every node the links name, sorted. */
  nodeNames(): string[] {
    const names = new Set(this.#nodes.keys());
    for (const t of this.#tracks) names.add(t.ref.from).add(t.ref.to).add(t.ref.docNode);
    return [...names].sort();
  }

  /** A node's marks with `at <= now`, oldest first. */
  marks(node: string, now: number): readonly NodeMark[] {
    const m = this.#nodes.get(node)?.marks ?? [];
    return upTo(m, (x) => x.at, now);
  }

  /** Every kept mark, oldest first. */
  allMarks(): NodeMark[] {
    return [...this.#nodes.values()].flatMap((n) => n.marks).sort((a, b) => a.at - b.at);
  }

  /** Every direction with its series as of `now` and its doc node's latest snapshot. */
  *directions(now: number): Generator<{
    link: MeshLink;
    ref: DirectionRef;
    series: readonly DirectionState[];
    docNode: NodeSnapshot | undefined;
  }> {
    for (const t of this.#tracks) {
      const series = upTo(t.points, (_, i) => t.times[i] as number, now);
      const recent = this.#nodes.get(t.ref.docNode)?.recent ?? [];
      yield { link: t.link, ref: t.ref, series, docNode: upTo(recent, (s) => s.at, now).at(-1) };
    }
  }

  #node(name: string): NodeTrack {
    let n = this.#nodes.get(name);
    if (!n) {
      n = { marks: [], recent: [] };
      this.#nodes.set(name, n);
    }
    return n;
  }

  /** The node's latest kept snapshot at or before `t`. */
  #asOf(node: string, t: number): NodeSnapshot | undefined {
    const recent = this.#nodes.get(node)?.recent ?? [];
    for (let i = recent.length - 1; i >= 0; i--) if ((recent[i] as NodeSnapshot).at <= t) return recent[i];
    return undefined;
  }

  /** Doc id -> nodes holding it in a kept snapshot, by name: built at most once per batch, and only when a doc is missing. */
  #holders(): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const [name, n] of this.#nodes)
      for (const s of n.recent)
        for (const d of s.docs) {
          const at = index.get(d.doc_id) ?? [];
          if (at.at(-1) !== name) at.push(name);
          index.set(d.doc_id, at);
        }
    return index;
  }

  #trim(keepFrom: number): void {
    for (const n of this.#nodes.values()) {
      dropBefore(n.marks, (m) => m.at, keepFrom);
      dropBefore(n.recent, (s) => s.at, keepFrom);
      if (n.recent.length > 1) n.recent.splice(0, n.recent.length - 1);
    }
    for (const t of this.#tracks) {
      const k = firstKept(t.times, keepFrom);
      if (k > 0) {
        t.points.splice(0, k);
        t.times.splice(0, k);
      }
    }
  }
}

const markOf = (s: NodeSnapshot): NodeMark => ({
  node: s.node,
  at: s.at,
  reachable: s.reachable,
  confidence: s.confidence,
  ...(s.error ? { error: s.error } : {}),
  ...(s.membership ? { membership: s.membership } : {}),
  docs: { length: s.docs.length },
});

/** Index of the first time >= keepFrom (times are ascending). */
function firstKept(times: readonly number[], keepFrom: number): number {
  let i = 0;
  while (i < times.length && (times[i] as number) < keepFrom) i++;
  return i;
}

function dropBefore<T>(xs: T[], at: (x: T) => number, keepFrom: number): void {
  let i = 0;
  while (i < xs.length && at(xs[i] as T) < keepFrom) i++;
  if (i > 0) xs.splice(0, i);
}

/** The prefix of an ascending list whose times are <= now (the whole list, unsliced, in the usual case). */
function upTo<T>(xs: readonly T[], at: (x: T, i: number) => number, now: number): readonly T[] {
  let end = xs.length;
  while (end > 0 && at(xs[end - 1] as T, end - 1) > now) end--;
  return end === xs.length ? xs : xs.slice(0, end);
}
