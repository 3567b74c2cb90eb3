import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAILOVER } from '../spec/failover.ts';
import { validateMesh } from '../spec/validate.ts';
import {
  desiredRoutes,
  meshDirections,
  type RoutesInput,
  routeSet,
  sameRoutes,
  seededRule,
} from './routes.ts';
import { initialRule } from './rule.ts';
import type { RouteMarker, RuleState } from './types.ts';

const spec = (() => {
  const r = validateMesh(`mesh: m
nodes:
  a: { url: 'http://127.0.0.1:5001' }
  b: { url: 'http://127.0.0.1:5002' }
  c: { url: 'http://127.0.0.1:5004' }
  r1: { url: 'http://127.0.0.1:5003', role: relay }
  r2: { url: 'http://127.0.0.1:5005', role: relay }
databases: [db]
links: [[a, b], [c, b], [a, r1], [b, r1], [a, r2], [b, r2]]
failover: { relays: { r1: { proxy: 'http://127.0.0.1:3128' }, r2: { proxy: 'http://127.0.0.1:3129' } } }
`);
  assert.ok(r.spec, JSON.stringify(r.diagnostics));
  return r.spec;
})();
const failover = spec.failover ?? DEFAULT_FAILOVER;
const degraded: RuleState = { ...initialRule(0), status: 'degraded', reason: 'job crashing' };
const input = (over: Partial<RoutesInput> = {}): RoutesInput => ({
  spec,
  failover,
  rules: new Map(),
  current: new Map(),
  healthy: () => true,
  now: 1000,
  ...over,
});
const marker = (via: string): RouteMarker => ({
  via,
  mode: 'proxy',
  reason: 'canary lost',
  since: '2026-01-01T00:00:00.000Z',
});

describe('failover desired routes', () => {
  it('every direction direct while its rule is healthy', () => {
    const routes = desiredRoutes(input());
    assert.equal(routes.length, meshDirections(spec).length);
    assert.ok(routes.every((r) => r.kind === 'direct'));
    assert.equal(routeSet(routes, new Map()).size, 0);
  });

  it('a degraded direction is relayed (nearest, then by name) with the rule reason and the pass time', () => {
    const routes = desiredRoutes(input({ rules: new Map([['a->b', degraded]]) }));
    const r = routes.find((x) => x.direction === 'a->b');
    assert.deepEqual(r, {
      direction: 'a->b',
      from: 'a',
      to: 'b',
      kind: 'relayed',
      via: 'r1',
      mode: 'proxy',
      reason: 'job crashing',
      since: 1000,
    });
    assert.equal(routeSet(routes, new Map()).get('a->b')?.since, new Date(1000).toISOString());
  });

  it('keeps the relay a route already uses while it is healthy (no churn), and its load counts', () => {
    const rules = new Map([
      ['a->b', degraded],
      ['c->b', degraded],
    ]);
    const current = new Map([['a->b', marker('r2')]]);
    const f = { ...failover, max_routes_per_relay: 1 };
    const routes = desiredRoutes(input({ rules, current, failover: f }));
    const via = Object.fromEntries(
      routes.flatMap((r) => (r.kind === 'relayed' ? [[r.direction, r.via]] : [])),
    );
    assert.deepEqual(via, { 'a->b': 'r2', 'c->b': 'r1' });
    // r2 down: a->b moves to r1, and c->b finds no relay left
    const moved = desiredRoutes(input({ rules, current, failover: f, healthy: (n) => n !== 'r2' }));
    assert.equal(moved.find((r) => r.direction === 'a->b')?.kind, 'relayed');
    const none = moved.find((r) => r.direction === 'c->b');
    assert.equal(none?.kind, 'no-relay');
    assert.match((none as { reason: string }).reason, /^job crashing; no usable relay/);
  });

  it('no-relay keeps what the nodes carry (nothing applied for it); healed directions go direct', () => {
    const rules = new Map([['a->b', degraded]]);
    const current = new Map([['a->b', marker('r1')]]);
    const routes = desiredRoutes(input({ rules, current, healthy: (n) => !n.startsWith('r') }));
    assert.equal(routes.find((r) => r.direction === 'a->b')?.kind, 'no-relay');
    assert.ok(sameRoutes(routeSet(routes, current), current));
    const healed = desiredRoutes(input({ current }));
    assert.equal(routeSet(healed, current).size, 0);
    assert.equal(sameRoutes(routeSet(healed, current), current), false);
  });

  it('a restarted controller seeds a degraded rule from the marker the nodes carry', () => {
    const s = seededRule(marker('r1'), 5);
    assert.equal(s.status, 'degraded');
    assert.equal(s.since, Date.parse('2026-01-01T00:00:00.000Z'));
    const routes = desiredRoutes(
      input({ rules: new Map([['a->b', s]]), current: new Map([['a->b', marker('r1')]]) }),
    );
    assert.equal(routes.find((r) => r.direction === 'a->b')?.kind, 'relayed');
  });
});
