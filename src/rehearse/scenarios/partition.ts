// partition: one link cut for the whole duration (both of its fault proxies hold every byte), then healed.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Topology } from '../types.ts';
import { pick } from './pick.ts';

export function partition(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  if (!t.links.length) return skipped('the mesh declares no link');
  const link = pick(r, t.links).key;
  return {
    name: 'partition',
    description: `link ${link} cut for ${durationMs} ms`,
    steps: [
      { atMs: 0, fault: { kind: 'cut', links: [link] } },
      { atMs: durationMs, fault: { kind: 'heal', links: [link] } },
    ],
    expectRescan: [],
  };
}

const skipped = (why: string): ScenarioPlan => ({
  name: 'partition',
  description: 'one link cut',
  steps: [],
  skipped: why,
  expectRescan: [],
});
