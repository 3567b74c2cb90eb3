/**
 * A route change applied to a snapshot (pure; the controller's state and the front ends' applyEvent
 * share it): the direction's entry in `routes` replaced, and every graph direction of that
 * `from->to` drawn through the relay (`via`) while relayed. A `no-relay` direction keeps the path
 * it had: nothing was changed for it.
 */
import type { ControllerSnapshot, RouteState } from './view.ts';

export function routed(s: ControllerSnapshot, r: RouteState): ControllerSnapshot {
  const routes = s.routes.filter((x) => x.direction !== r.direction);
  routes.push(r);
  if (r.path === 'no-relay') return { ...s, routes };
  const via = r.path === 'relayed' && r.via ? [r.via] : [];
  return {
    ...s,
    routes,
    directions: s.directions.map((d) => (d.direction === r.direction ? { ...d, via } : d)),
  };
}
