/**
 * The poller's memory between polls: the per-direction series and per-node marks of the window
 * (health/series-book.ts: compact, built one poll at a time; raw snapshots are not kept), the
 * checkpoint pairs read on demand, the silences, and the findings of the last evaluation, diffed
 * against the next (raised / changed / resolved).
 */
import { diffFindings, type FindingDiff } from '../health/diff.ts';
import { judgeSeries } from '../health/evaluate.ts';
import { type CheckpointPair, checkpointIntegrityRule } from '../health/rules-checkpoint.ts';
import { type NodeMark, SeriesBook } from '../health/series-book.ts';
import type { Finding, HealthThresholds } from '../health/types.ts';
import type { MeshLink } from '../observe/links.ts';
import type { NodeSnapshot } from '../observe/snapshot.ts';

/** A silenced finding: matching findings are dropped until `until` (e.g. after a deliberate reset). */
export interface Silence {
  rule: Finding['rule'];
  link?: string;
  db?: string;
  direction?: string;
  until: number;
}

export class HealthBook {
  readonly #series: SeriesBook;
  #findings: Finding[] = [];
  #checkpoints = new Map<string, { at: number; pair: CheckpointPair }>();
  #silences: Silence[] = [];

  constructor(
    links: readonly MeshLink[],
    private readonly thresholds: HealthThresholds,
    /** how long the series are kept */
    retainMs: number,
  ) {
    // a source snapshot taken up to half a poll after the doc node's belongs to the same round
    this.#series = new SeriesBook(links, thresholds.pollIntervalMs / 2, retainMs);
  }

  /** What is kept of each poll of each node (oldest first within each node). */
  get marks(): readonly NodeMark[] {
    return this.#series.allMarks();
  }

  /** The findings of the last `record`. */
  get findings(): readonly Finding[] {
    return this.#findings;
  }

  silence(s: Silence): void {
    this.#silences.push(s);
  }

  addCheckpoints(pairs: readonly CheckpointPair[], at: number): void {
    for (const pair of pairs)
      this.#checkpoints.set(`${pair.link}|${pair.db}|${pair.from}->${pair.to}`, { at, pair });
  }

  /** Adds a poll's snapshots to the series (dropping what is older than `retainMs`), then judges them. */
  record(snapshots: readonly NodeSnapshot[], now: number): { findings: Finding[]; diff: FindingDiff } {
    this.#series.add(snapshots, now);
    const findings = this.evaluate(now);
    const diff = diffFindings(this.#findings, findings);
    this.#findings = findings;
    return { findings, diff };
  }

  /** The health rules over the kept snapshots (and fresh checkpoint pairs), silences applied. */
  evaluate(now: number): Finding[] {
    for (const [k, v] of this.#checkpoints)
      if (v.at < now - this.thresholds.windowMs) this.#checkpoints.delete(k);
    this.#silences = this.#silences.filter((s) => s.until > now);
    const checkpoints = [...this.#checkpoints.values()].map((v) => v.pair);
    const book = this.#series;
    const view = {
      nodeNames: book.nodeNames(),
      marks: (node: string) => book.marks(node, now),
      directions: book.directions(now),
      checkpoints,
    };
    const all = judgeSeries(view, now, this.thresholds);
    return all.filter((f) => !this.#silences.some((s) => silences(s, f)));
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

/** Findings of a checkpoint pair list, for callers that do not run a poller (checkpoint verify). */
export const integrityFindings = (pairs: readonly CheckpointPair[]): Finding[] =>
  pairs.map(checkpointIntegrityRule).filter((f): f is Finding => f !== null);
