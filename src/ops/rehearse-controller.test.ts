import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../health/types.ts';
import { expectedFinding, notYet, type RehearsalSnapshot } from './rehearse-controller.ts';
import type { StatusReport } from './status.ts';

const HEAL = Date.parse('2026-01-01T00:00:10Z');
const after = '2026-01-01T00:00:11.000Z';
const before = '2026-01-01T00:00:09.000Z';

const finding = (rule: string, direction: string, severity = 'critical'): Finding =>
  ({ rule, severity, direction, db: 'sensors', link: 'n1--n2', node: null }) as unknown as Finding;

function snap(o: Partial<RehearsalSnapshot> = {}, states = ['running', 'running']): RehearsalSnapshot {
  const status = {
    at: after,
    directions: states.map((state, i) => ({ direction: i ? 'n2->n1' : 'n1->n2', state })),
  } as unknown as StatusReport;
  return {
    status,
    findings: [],
    conflicts: [{ db: 'sensors', node: 'n1', conflicted: 0, resolved_total: 3, at: after }],
    drift: { at: after, changes: {} },
    routes: [],
    ...o,
  };
}

describe('the controller view of a converged rehearsal', () => {
  it('converged: a poll, conflicts count and drift pass after the heal, all running, nothing critical', () => {
    assert.deepEqual(notYet(snap(), HEAL, ['sensors']), []);
  });

  it('says what it still waits for', () => {
    assert.deepEqual(notYet(snap({ status: null }), HEAL, []), ['no poll since the heal']);
    assert.match(notYet(snap({}, ['running', 'crashing']), HEAL, [])[0] ?? '', /1 directions not running/);
    assert.match(
      notYet(snap({ drift: { at: before, changes: {} } }), HEAL, [])[0] ?? '',
      /no drift pass since the heal/,
    );
    assert.match(
      notYet(snap({ drift: { at: after, changes: { create: 1 } } }), HEAL, [])[0] ?? '',
      /drift plan is not empty/,
    );
    const left = snap({
      conflicts: [{ db: 'sensors', node: 'n1', conflicted: 2, resolved_total: 0, at: after }],
    });
    assert.match(notYet(left, HEAL, ['sensors'])[0] ?? '', /conflicts left in sensors/);
    const relayed = snap({ routes: [{ direction: 'n1->n2', path: 'relayed', via: 'r', since: after }] });
    assert.match(notYet(relayed, HEAL, [])[0] ?? '', /not back on their direct link \(n1->n2\)/);
    assert.match(notYet(snap({ findings: [finding('stalled', 'n1->n2')] }), HEAL, [])[0] ?? '', /critical/);
  });

  it('a seq regression from a database recreated on purpose does not block; others do', () => {
    const f = finding('seq-regression', 'n2->n1');
    assert.equal(expectedFinding(f, ['n2/sensors']), true);
    assert.equal(expectedFinding(f, ['n3/sensors']), false);
    assert.equal(expectedFinding(finding('stalled', 'n2->n1'), ['n2/sensors']), false);
    assert.deepEqual(notYet(snap({ findings: [f] }), HEAL, [], ['n2/sensors']), []);
    assert.equal(notYet(snap({ findings: [f] }), HEAL, [], []).length, 1);
  });
});
