// A partition/heal schedule drawn from a seed: each step changes the cut set (one link, a node
// isolated, the mesh split in two, one cut healed, everything healed), then writers on a few nodes
// write while it holds. The same seed gives the same steps (printed, so a failing run is replayed).
import type { Random } from '../../../src/core/random.ts';
import type { Topology } from './topology.ts';
import { int, pick } from './writers.ts';

export type Fault =
  | { kind: 'cut-link'; link: [string, string] }
  | { kind: 'isolate'; node: string }
  | { kind: 'split'; side: string[] }
  | { kind: 'heal-link'; link: [string, string] }
  | { kind: 'heal-all' };

export interface Step {
  fault: Fault;
  /** the nodes that write during the step */
  writers: string[];
  /** writes per writer */
  writes: number;
  /** how long the step holds after its writes (ms): replication runs on the links left */
  holdMs: number;
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'cut-link':
    case 'heal-link':
      return `${f.kind} ${f.link.join('--')}`;
    case 'isolate':
      return `isolate ${f.node}`;
    case 'split':
      return `split ${f.side.join(',')} | rest`;
    case 'heal-all':
      return 'heal-all';
  }
}

function fault(r: Random, t: Topology): Fault {
  const roll = r.float();
  if (roll < 0.3) return { kind: 'cut-link', link: pick(r, t.links) };
  if (roll < 0.5) return { kind: 'isolate', node: pick(r, t.nodes) };
  if (roll < 0.7) {
    // a random half (at least one node on each side)
    const shuffled = [...t.nodes].sort(() => r.float() - 0.5);
    return { kind: 'split', side: shuffled.slice(0, 1 + int(r, t.nodes.length - 1)).sort() };
  }
  if (roll < 0.9) return { kind: 'heal-link', link: pick(r, t.links) };
  return { kind: 'heal-all' };
}

export function schedule(r: Random, t: Topology, steps: number): Step[] {
  return Array.from({ length: steps }, () => {
    const f = fault(r, t);
    const writers = t.nodes.filter(() => r.float() < 0.6);
    return {
      fault: f,
      writers: writers.length ? writers : [pick(r, t.nodes)],
      writes: 2 + int(r, 5),
      holdMs: 50 + int(r, 300),
    };
  });
}

/** The links a fault cuts (`heal-*`: none) and heals. */
export function linksCut(f: Fault, t: Topology): Array<[string, string]> {
  switch (f.kind) {
    case 'cut-link':
      return [f.link];
    case 'isolate':
      return t.links.filter((l) => l.includes(f.node));
    case 'split':
      return t.links.filter((l) => f.side.includes(l[0]) !== f.side.includes(l[1]));
    default:
      return [];
  }
}
