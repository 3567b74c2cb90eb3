/**
 * Relay choice for a degraded direction A->B (#15): healthy nodes with `role: relay`, never A or B;
 * in proxy mode only relays with a forward proxy declared (`failover.relays.<name>.proxy`), in
 * store-and-forward mode only relays the ends can replicate with (the relay holds, or will be given,
 * the database). Relays already carrying `max_routes_per_relay` routes are skipped. Nearest first:
 * the `failover.regions` distance to both ends (0 within a region), else the measured canary
 * latency between the relay and each end; then the relay sharing a region with more ends; then the
 * name, so the choice is deterministic.
 */
import { type FailoverMode, type FailoverSpec, regionDistance } from '../spec/failover.ts';
import type { NodeSpec } from '../spec/types.ts';

export interface SelectInput {
  from: string;
  to: string;
  mode: FailoverMode;
  nodes: readonly NodeSpec[];
  failover: FailoverSpec;
  /** the relay answered the latest poll */
  healthy(relay: string): boolean;
  /** routes already through each relay (this pass's choices included) */
  load: ReadonlyMap<string, number>;
  /** measured canary latency a->b (ms), when a canary runs on that pair */
  latency?(a: string, b: string): number | undefined;
}

export type Selection = { via: string; distance: number } | { via: null; reason: string };

export function selectRelay(i: SelectInput): Selection {
  const byName = new Map(i.nodes.map((n) => [n.name, n]));
  const a = byName.get(i.from);
  const b = byName.get(i.to);
  const relays = i.nodes.filter((n) => n.role === 'relay' && n.name !== i.from && n.name !== i.to);
  if (!relays.length) return { via: null, reason: 'the mesh declares no relay node' };
  const skipped: string[] = [];
  const usable = relays.filter((r) => {
    const why = !i.healthy(r.name)
      ? 'unreachable'
      : i.mode === 'proxy' && !i.failover.relays[r.name]
        ? 'no proxy declared (failover.relays)'
        : i.mode === 'store-and-forward' && !r.reachable
          ? 'not reachable by peers'
          : (i.load.get(r.name) ?? 0) >= i.failover.max_routes_per_relay
            ? `at max_routes_per_relay (${i.failover.max_routes_per_relay})`
            : undefined;
    if (why) skipped.push(`${r.name}: ${why}`);
    return why === undefined;
  });
  if (!usable.length) return { via: null, reason: `no usable relay (${skipped.join('; ')})` };
  const leg = (r: NodeSpec, end: NodeSpec | undefined): number => {
    const d = regionDistance(i.failover, r.region, end?.region);
    if (d !== undefined) return d;
    const l = end ? (i.latency?.(r.name, end.name) ?? i.latency?.(end.name, r.name)) : undefined;
    return l ?? Number.POSITIVE_INFINITY;
  };
  const sameRegion = (r: NodeSpec) =>
    [a, b].filter((e) => r.region !== undefined && e?.region === r.region).length;
  const ranked = usable
    .map((r) => ({ r, distance: leg(r, a) + leg(r, b), same: sameRegion(r) }))
    .sort((x, y) =>
      x.distance !== y.distance
        ? x.distance - y.distance
        : x.same !== y.same
          ? y.same - x.same
          : x.r.name < y.r.name
            ? -1
            : 1,
    );
  const best = ranked[0] as (typeof ranked)[number];
  return { via: best.r.name, distance: best.distance };
}
