// relay-loss: the relay (the first node with `role: relay`) lost. Without `failover:` every link of
// it is cut for the whole duration, so what it carries between the others stops until it is back.
// With `failover:` (FAILOVER #15) the relay is also a route: a direct link between two other nodes
// is cut first, so the controller's router sees the direction degraded (canaries lost, jobs stuck)
// and routes it through the relay (a few canary rounds: degrade_after samples); at 70% of the duration the relay is lost whole (node killed,
// forward proxy stopped, links cut), so the router must give the route up; at the end everything
// heals and the router routes back direct.
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
  const relays = new Set(t.nodes.filter((n) => n.role === 'relay').map((n) => n.name));
  const direct = t.failover ? t.links.find((l) => !l.nodes.some((n) => relays.has(n))) : undefined;
  if (direct) {
    const lost = Math.round(durationMs * 0.7);
    return {
      name: 'relay-loss',
      description: `direct link ${direct.key} cut (the router routes it through ${relay.name}), then relay ${relay.name} lost at ${lost} ms`,
      steps: [
        { atMs: 0, fault: { kind: 'cut', links: [direct.key] } },
        { atMs: lost, fault: { kind: 'lose-relay', node: relay.name, links } },
        { atMs: durationMs, fault: { kind: 'heal', links: [direct.key, ...links] } },
      ],
      expectRescan: [],
    };
  }
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
