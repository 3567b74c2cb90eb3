// recreate: one node's database deleted and created again (empty) halfway through, under running
// jobs: the failure #16 starts from (every job `running`, lag ~0, a node missing documents). Its
// `_local` checkpoints go with it, so a re-scan from 0 of a direction touching it is expected.
import type { Random } from '../../core/random.ts';
import type { ScenarioPlan, Topology } from '../types.ts';
import { linkedNodes, pick } from './pick.ts';

export function recreate(t: Topology, r: Random, durationMs: number): ScenarioPlan {
  const nodes = linkedNodes(t);
  const db = t.databases[0];
  if (!nodes.length || db === undefined)
    return {
      name: 'recreate',
      description: 'a database recreated',
      steps: [],
      skipped: 'the mesh declares no link',
      expectRescan: [],
    };
  const node = pick(r, nodes);
  return {
    name: 'recreate',
    description: `${db} deleted and recreated on ${node} at ${Math.round(durationMs / 2)} ms`,
    steps: [{ atMs: Math.round(durationMs / 2), fault: { kind: 'recreate', node, db } }],
    expectRescan: [`${node}/${db}`],
  };
}
