// flap: one link cut and healed again three times over the duration (half of each period down),
// the way a cellular link drops in and out; jobs see connections stall and resume mid-request.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Step, Topology } from '../types.ts';
import { pick } from './pick.ts';

export const FLAPS = 3;

export function flap(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  if (!t.links.length)
    return {
      name: 'flap',
      description: 'a link up and down',
      steps: [],
      skipped: 'the mesh declares no link',
      expectRescan: [],
    };
  const link = pick(r, t.links).key;
  const period = durationMs / FLAPS;
  const steps: Step[] = [];
  for (let i = 0; i < FLAPS; i++) {
    steps.push({ atMs: Math.round(i * period), fault: { kind: 'cut', links: [link] } });
    steps.push({ atMs: Math.round((i + 0.5) * period), fault: { kind: 'heal', links: [link] } });
  }
  return {
    name: 'flap',
    description: `link ${link} down and up ${FLAPS} times over ${durationMs} ms`,
    steps,
    expectRescan: [],
  };
}
