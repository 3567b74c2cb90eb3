// The closed set of rehearsal scenarios: name -> its schedule (pure: topology, seed, duration).
import { type Random, seededRandom } from '../../core/random.ts';
import type { ScenarioName, ScenarioPlan, Topology } from '../types.ts';
import { crash } from './crash.ts';
import { flap } from './flap.ts';
import { isolate } from './isolate.ts';
import { partition } from './partition.ts';
import { recreate } from './recreate.ts';
import { relayLoss } from './relay-loss.ts';
import { split } from './split.ts';

const BUILD: Record<ScenarioName, (t: Topology, r: Random, durationMs: number) => ScenarioPlan> = {
  partition,
  isolate,
  split,
  flap,
  crash,
  recreate,
  'relay-loss': (t, _r, d) => relayLoss(t, d),
};

/** A scenario's schedule; its choices drawn from `seed` mixed with its name (so `--scenario` alone picks the same link). */
export function scenarioPlan(
  name: ScenarioName,
  t: Topology,
  seed: number,
  durationMs: number,
): ScenarioPlan {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return BUILD[name](t, seededRandom(h), durationMs);
}
