// split: the mesh in two for the whole duration. With two regions or more the first region (in
// declaration order) is one side, the way a site loses its uplink; otherwise a seeded half.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Topology } from '../types.ts';
import { int } from './pick.ts';

export function splitSides(t: Topology, r: Random): string[] {
  const regions = [...new Set(t.nodes.flatMap((n) => (n.region ? [n.region] : [])))];
  if (regions.length >= 2) return t.nodes.filter((n) => n.region === regions[0]).map((n) => n.name);
  // a seeded shuffle (Fisher-Yates), then the first half
  const names = t.nodes.map((n) => n.name);
  for (let i = names.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [names[i], names[j]] = [names[j] as string, names[i] as string];
  }
  return names.slice(0, Math.ceil(names.length / 2)).sort();
}

export function split(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  const side = splitSides(t, r);
  const links = t.links
    .filter((l) => side.includes(l.nodes[0]) !== side.includes(l.nodes[1]))
    .map((l) => l.key);
  if (t.nodes.length < 2 || !links.length)
    return {
      name: 'split',
      description: 'the mesh in two',
      steps: [],
      skipped: 'no link joins two halves of the mesh',
      expectRescan: [],
    };
  const rest = t.nodes.map((n) => n.name).filter((n) => !side.includes(n));
  return {
    name: 'split',
    description: `${side.join(',')} | ${rest.join(',')} for ${durationMs} ms (${links.length} links cut)`,
    steps: [
      { atMs: 0, fault: { kind: 'cut', links } },
      { atMs: durationMs, fault: { kind: 'heal', links } },
    ],
    expectRescan: [],
  };
}
