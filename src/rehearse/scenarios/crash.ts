// crash: one node killed hard (SIGKILL: no close, no flush) a quarter into the duration and started
// again on the same data folder and port at three quarters; the others keep writing meanwhile.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Topology } from '../types.ts';
import { pick } from './pick.ts';

export function crash(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  const node = pick(
    r,
    t.nodes.map((n) => n.name),
  );
  return {
    name: 'crash',
    description: `${node} killed (SIGKILL) and restarted on its storage ${Math.round(durationMs / 2)} ms later`,
    steps: [
      { atMs: Math.round(durationMs / 4), fault: { kind: 'crash', node } },
      { atMs: Math.round((durationMs * 3) / 4), fault: { kind: 'restart', node } },
    ],
    expectRescan: [],
  };
}
