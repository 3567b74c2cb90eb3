/**
 * Desired routes (#15) = f(spec, rule states, relay health, the routes the nodes carry now): per
 * direction `direct`, `relayed` (via, mode, reason, since) or `no-relay` (degraded and no relay to
 * take it: a critical finding, and nothing is changed for it). A direction already relayed through
 * a relay still healthy keeps it (no churn from a new ranking); new routes are chosen after the
 * kept ones, in direction order, so relay load and ties come out the same every time.
 */
import { type FailoverSpec, modeOf } from '../spec/failover.ts';
import type { MeshSpec } from '../spec/types.ts';
import { selectRelay } from './select.ts';
import type { DirectionName, Route, RouteMarker, RuleState } from './types.ts';

export interface RoutedDirection {
  direction: DirectionName;
  from: string;
  to: string;
  /** the link's key `a--b` */
  link: string;
}

/** Every direction of the mesh's links (one per ordered pair), in spec order. */
export function meshDirections(spec: MeshSpec): RoutedDirection[] {
  const out: RoutedDirection[] = [];
  for (const l of spec.links) {
    const [a, b] = l.nodes;
    out.push(
      { direction: `${a}->${b}`, from: a, to: b, link: l.key },
      { direction: `${b}->${a}`, from: b, to: a, link: l.key },
    );
  }
  return out;
}

export interface RoutesInput {
  spec: MeshSpec;
  failover: FailoverSpec;
  rules: ReadonlyMap<DirectionName, RuleState>;
  /** the routes the nodes carry now (markers read from the direction docs) */
  current: ReadonlyMap<DirectionName, RouteMarker>;
  healthy(node: string): boolean;
  latency?(a: string, b: string): number | undefined;
  now: number;
}

export function desiredRoutes(i: RoutesInput): Route[] {
  const dirs = meshDirections(i.spec);
  const load = new Map<string, number>();
  const out = new Map<DirectionName, Route>();
  const degraded = (d: RoutedDirection) => i.rules.get(d.direction)?.status === 'degraded';
  // kept routes first: they hold their relay's load before anything new is placed
  for (const d of dirs) {
    const cur = i.current.get(d.direction);
    if (!cur || !degraded(d) || !i.healthy(cur.via) || cur.mode !== modeOf(i.failover, d.link)) continue;
    load.set(cur.via, (load.get(cur.via) ?? 0) + 1);
    out.set(d.direction, {
      ...pick(d),
      kind: 'relayed',
      via: cur.via,
      mode: cur.mode,
      reason: cur.reason,
      since: Date.parse(cur.since),
    });
  }
  for (const d of dirs) {
    if (out.has(d.direction)) continue;
    const rule = i.rules.get(d.direction);
    if (rule?.status !== 'degraded') {
      out.set(d.direction, { ...pick(d), kind: 'direct' });
      continue;
    }
    const mode = modeOf(i.failover, d.link);
    const sel = selectRelay({
      from: d.from,
      to: d.to,
      mode,
      nodes: i.spec.nodes,
      failover: i.failover,
      healthy: i.healthy,
      load,
      ...(i.latency ? { latency: i.latency } : {}),
    });
    if (sel.via === null) {
      out.set(d.direction, { ...pick(d), kind: 'no-relay', reason: `${rule.reason}; ${sel.reason}` });
      continue;
    }
    load.set(sel.via, (load.get(sel.via) ?? 0) + 1);
    out.set(d.direction, {
      ...pick(d),
      kind: 'relayed',
      via: sel.via,
      mode,
      reason: rule.reason,
      since: i.now,
    });
  }
  return dirs.map((d) => out.get(d.direction) as Route);
}

const pick = (d: RoutedDirection) => ({ direction: d.direction, from: d.from, to: d.to });

/**
 * The route set the planner writes: relayed directions get their marker; a `no-relay` direction
 * keeps whatever the nodes carry now (nothing is applied for it); direct ones none.
 */
export function routeSet(
  routes: readonly Route[],
  current: ReadonlyMap<DirectionName, RouteMarker>,
): Map<DirectionName, RouteMarker> {
  const out = new Map<DirectionName, RouteMarker>();
  for (const r of routes) {
    if (r.kind === 'relayed')
      out.set(r.direction, {
        via: r.via,
        mode: r.mode,
        reason: r.reason,
        since: new Date(r.since).toISOString(),
      });
    else if (r.kind === 'no-relay') {
      const cur = current.get(r.direction);
      if (cur) out.set(r.direction, cur);
    }
  }
  return out;
}

/** Same relays and modes for the same directions (reasons and times aside). */
export function sameRoutes(
  a: ReadonlyMap<DirectionName, RouteMarker>,
  b: ReadonlyMap<DirectionName, RouteMarker>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y || y.via !== x.via || y.mode !== x.mode) return false;
  }
  return true;
}

/** A rule state for a direction the nodes show relayed (a restarted controller keeps the route). */
export const seededRule = (m: RouteMarker, now: number): RuleState => ({
  status: 'degraded',
  bad: 0,
  good: 0,
  since: Date.parse(m.since) || now,
  reason: m.reason,
  lastAt: null,
});
