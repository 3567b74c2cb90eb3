import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConflictCounts, ResolutionSummary } from '../controller/view.ts';
import { applyEvent, LIST_LIMIT } from './events.ts';
import { FakeController, recordedStatus } from './testing.ts';

const counts = (conflicted: number): ConflictCounts => ({
  db: 'sensors',
  node: 'n1',
  conflicted,
  resolved_total: 0,
  declined_total: 0,
  at: '2026-12-07T00:00:00.000Z',
});

test('findings are raised, changed and resolved by identity; counts and resolutions upserted', () => {
  const base = new FakeController().snapshot();
  const f = recordedStatus('n3-down').findings[0]!;
  let s = applyEvent(base, { type: 'finding', generation: 2, change: 'raised', finding: f });
  s = applyEvent(s, {
    type: 'finding',
    generation: 3,
    change: 'changed',
    finding: { ...f, message: 'again' },
  });
  assert.deepEqual(
    s.findings.map((x) => x.message),
    ['again'],
  );
  s = applyEvent(s, { type: 'conflicts', generation: 4, counts: counts(2) });
  s = applyEvent(s, { type: 'conflicts', generation: 5, counts: counts(0) });
  assert.deepEqual(
    s.conflicts.map((c) => c.conflicted),
    [0],
  );
  const r: ResolutionSummary = {
    at: 'x',
    db: 'sensors',
    node: 'n1',
    doc_id: 'd',
    strategy: 'lww',
    winner: '2-a',
    losers: ['2-b'],
    audit_id: 'a1',
    undone: false,
  };
  s = applyEvent(s, { type: 'resolution', generation: 6, resolution: r });
  s = applyEvent(s, { type: 'resolution', generation: 7, resolution: { ...r, undone: true } });
  assert.deepEqual(
    s.resolutions.map((x) => x.undone),
    [true],
  );
  s = applyEvent(s, { type: 'finding', generation: 8, change: 'resolved', finding: f });
  assert.deepEqual(s.findings, []);
  assert.equal(s.generation, 8);
  assert.equal(base.findings.length, 0, 'the input is not changed');
});

test('actions stay bounded, newest last', () => {
  let s = new FakeController().snapshot();
  for (let i = 0; i < LIST_LIMIT + 5; i++)
    s = applyEvent(s, {
      type: 'action',
      generation: i + 2,
      action: {
        id: `a${i}`,
        at: '',
        loop: 'drift',
        kind: 'apply',
        target: 'mesh',
        outcome: 'done',
        detail: '',
      },
    });
  assert.equal(s.actions.length, LIST_LIMIT);
  assert.equal(s.actions.at(-1)?.id, `a${LIST_LIMIT + 4}`);
});
