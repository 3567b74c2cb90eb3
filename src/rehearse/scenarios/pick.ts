// Seeded choices of the scenario schedules: the same seed picks the same link, node or half.
import type { Random } from '../../core/random.ts';
import type { Topology } from '../types.ts';

export const int = (r: Random, n: number): number => Math.floor(r.float() * n);
export const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

/** The keys of the links `node` is an end of. */
export const linksOf = (t: Topology, node: string): string[] =>
  t.links.filter((l) => l.nodes.includes(node)).map((l) => l.key);

/** The nodes that are an end of at least one link (a node without links has nothing to cut). */
export const linkedNodes = (t: Topology): string[] =>
  t.nodes.map((n) => n.name).filter((n) => linksOf(t, n).length > 0);
