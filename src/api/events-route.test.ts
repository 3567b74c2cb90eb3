import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteState } from '../controller/view.ts';
import { applyEvent } from './events.ts';
import { FakeController } from './testing.ts';

const route = (path: RouteState['path'], via: string | null): RouteState => ({
  direction: 'n3->n4',
  from: 'n3',
  to: 'n4',
  path,
  via,
  mode: path === 'relayed' ? 'proxy' : null,
  reason: path === 'direct' ? null : 'canary 5000 ms > 2000 ms',
  since: '2026-12-07T00:00:00.000Z',
});

test('a route event draws the direction through its relay, a direct one back; no-relay keeps the path', () => {
  const base = new FakeController().snapshot();
  const via = (s: typeof base) => s.directions.filter((d) => d.direction === 'n3->n4').map((d) => d.via);
  assert.ok(via(base).length > 0);
  let s = applyEvent(base, { type: 'route', generation: 2, route: route('relayed', 'r') });
  assert.ok(via(s).every((v) => v.join() === 'r'));
  assert.equal(s.routes.length, 1);
  s = applyEvent(s, { type: 'route', generation: 3, route: route('no-relay', 'r') });
  assert.ok(
    via(s).every((v) => v.join() === 'r'),
    'nothing changed for it',
  );
  assert.equal(s.routes[0]?.path, 'no-relay');
  s = applyEvent(s, { type: 'route', generation: 4, route: route('direct', null) });
  assert.ok(via(s).every((v) => v.length === 0));
  assert.equal(s.routes.length, 1);
  assert.equal(s.generation, 4);
});
