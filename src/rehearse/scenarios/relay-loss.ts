// relay-loss: the relay (the first node with `role: relay`) lost for the whole duration: every link
// of it cut, so what it carries between the others stops until it is back.
import type { ScenarioPlan, Topology } from '../types.ts';
import { linksOf } from './pick.ts';

export const NO_RELAY = 'skipped: the mesh declares no relay';

export function relayLoss(t: Topology, durationMs: number): ScenarioPlan {
  const relay = t.nodes.find((n) => n.role === 'relay');
  const links = relay ? linksOf(t, relay.name) : [];
  if (!relay || !links.length)
    return {
      name: 'relay-loss',
      description: 'the relay lost',
      steps: [],
      skipped: NO_RELAY,
      expectRescan: [],
    };
  return {
    name: 'relay-loss',
    description: `relay ${relay.name} lost (${links.join(' ')}) for ${durationMs} ms${t.failover ? '' : ' (the mesh declares no failover: routing)'}`,
    steps: [
      { atMs: 0, fault: { kind: 'cut', links } },
      { atMs: durationMs, fault: { kind: 'heal', links } },
    ],
    expectRescan: [],
  };
}
