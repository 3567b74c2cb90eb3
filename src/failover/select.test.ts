import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAILOVER, type FailoverSpec } from '../spec/failover.ts';
import type { NodeSpec } from '../spec/types.ts';
import { type SelectInput, selectRelay } from './select.ts';

const node = (name: string, region?: string, role: NodeSpec['role'] = 'edge'): NodeSpec => ({
  name,
  url: `http://127.0.0.1/${name}`,
  role,
  reachable: true,
  ...(region ? { region } : {}),
});
const failover = (over: Partial<FailoverSpec> = {}): FailoverSpec => ({
  ...DEFAULT_FAILOVER,
  relays: { r1: { proxy: 'http://p1' }, r2: { proxy: 'http://p2' }, r3: { proxy: 'http://p3' } },
  ...over,
});
const input = (over: Partial<SelectInput> = {}): SelectInput => ({
  from: 'a',
  to: 'b',
  mode: 'proxy',
  nodes: [node('a', 'eu'), node('b', 'us'), node('r1', 'ap', 'relay'), node('r2', 'eu', 'relay')],
  failover: failover(),
  healthy: () => true,
  load: new Map(),
  ...over,
});

describe('failover relay selection', () => {
  it('prefers the nearest relay by the regions table, then the one sharing a region, then by name', () => {
    const regions = { eu: { us: 80, ap: 200 }, us: { ap: 150 } };
    assert.deepEqual(selectRelay(input({ failover: failover({ regions }) })), { via: 'r2', distance: 80 });
    // no table: r2 shares a region with a (both distances unknown otherwise)
    assert.equal(selectRelay(input()).via, 'r2');
    // equal in every way: by name
    const twins = [node('a'), node('b'), node('r2', undefined, 'relay'), node('r1', undefined, 'relay')];
    assert.equal(selectRelay(input({ nodes: twins })).via, 'r1');
  });

  it('without regions, by measured canary latency to both ends', () => {
    const nodes = [node('a'), node('b'), node('r1', undefined, 'relay'), node('r2', undefined, 'relay')];
    const ms: Record<string, number> = { 'r1>a': 50, 'b>r1': 400, 'r2>a': 200, 'r2>b': 100 };
    const latency = (x: string, y: string) => ms[`${x}>${y}`];
    assert.deepEqual(selectRelay(input({ nodes, latency })), { via: 'r2', distance: 300 });
  });

  it('skips unhealthy relays, relays at their load, proxy mode without a proxy, and the ends', () => {
    const f = failover({ max_routes_per_relay: 2, relays: { r1: { proxy: 'http://p1' } } });
    assert.equal(selectRelay(input({ failover: f })).via, 'r1');
    const full = selectRelay(input({ failover: f, load: new Map([['r1', 2]]) }));
    assert.equal(full.via, null);
    assert.match((full as { reason: string }).reason, /r1: at max_routes_per_relay \(2\)/);
    assert.match((full as { reason: string }).reason, /r2: no proxy declared/);
    assert.equal(selectRelay(input({ healthy: (r) => r !== 'r2' })).via, 'r1');
    assert.equal(selectRelay(input({ mode: 'store-and-forward', failover: f })).via, 'r2');
    const relayEnd = selectRelay(input({ from: 'r2', healthy: (r) => r !== 'r1' }));
    assert.equal(relayEnd.via, null);
  });

  it('no relay node at all: says so', () => {
    const r = selectRelay(input({ nodes: [node('a'), node('b')] }));
    assert.deepEqual(r, { via: null, reason: 'the mesh declares no relay node' });
  });
});
