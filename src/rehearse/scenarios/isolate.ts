// isolate: every link of one node cut for the whole duration; it keeps taking writes on its own.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Topology } from '../types.ts';
import { linkedNodes, linksOf, pick } from './pick.ts';

export function isolate(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  const candidates = linkedNodes(t);
  if (!candidates.length)
    return {
      name: 'isolate',
      description: 'one node cut off',
      steps: [],
      skipped: 'the mesh declares no link',
      expectRescan: [],
    };
  const node = pick(r, candidates);
  const links = linksOf(t, node);
  return {
    name: 'isolate',
    description: `${node} cut off (${links.join(' ')}) for ${durationMs} ms`,
    steps: [
      { atMs: 0, fault: { kind: 'cut', links } },
      { atMs: durationMs, fault: { kind: 'heal', links } },
    ],
    expectRescan: [],
  };
}
