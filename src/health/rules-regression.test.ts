import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as testSupport from '../observe/test-support.ts';
import { regressionEvents, seqRegressionRule } from './rules-regression.ts';
import { ctxOf, findings, series } from './test-support.ts';

test('checkpoint going backwards (run2 -> run1 numbers: 10 -> 5): critical', () => {
  const snaps = series([
    { t: 0, checkpointed: 10, source: 10 },
    { t: 5000, checkpointed: 5, source: 10 },
  ]);
  const f = seqRegressionRule(ctxOf(snaps));
  assert.equal(f?.severity, 'critical');
  assert.equal(f?.evidence.kind, 'checkpoint');
  assert.equal(f?.evidence.before, 10);
  assert.equal(f?.evidence.after, 5);
  assert.equal(f?.evidence.seqHeuristic, true);
  assert.match(f?.playbook ?? '', /delete the _local checkpoints on source and target and recreate the job/);
});

test('a checkpoint reset re-scanning from 0 is observed as a regression', () => {
  const snaps = series([
    { t: 0, checkpointed: 500, source: 500 },
    { t: 5000, checkpointed: 0, source: 500, through: 20 },
  ]);
  assert.equal(findings(snaps, 'seq-regression')[0]?.evidence.after, 0);
});

test('source update_seq going backwards (db recreated): kind source', () => {
  const snaps = series([
    { t: 0, checkpointed: 90, source: 100 },
    { t: 5000, checkpointed: 90, source: 100, db: 3 },
  ]);
  const events = regressionEvents(ctxOf(snaps).series);
  assert.deepEqual(
    events.map((e) => [e.kind, e.before, e.after]),
    [['source', 100, 3]],
  );
});

test('instance_start_time change is a regression, except clustered "0"', () => {
  const changed = series([
    { t: 0, source: 6 },
    { t: 5000, source: 6, instance: '1795799999' },
  ]);
  assert.equal(seqRegressionRule(ctxOf(changed))?.evidence.kind, 'instance');
  assert.equal(seqRegressionRule(ctxOf(changed))?.evidence.seqHeuristic, false);
  const clustered = series([
    { t: 0, source: 6, instance: '0' },
    { t: 5000, source: 6, instance: '0' },
  ]);
  assert.equal(seqRegressionRule(ctxOf(clustered)), null);
});

test('checkpoint ahead of the source on two polls in a row (not one: polls race)', () => {
  const twice = series([
    { t: 0, checkpointed: 40, source: 40, db: 3 },
    { t: 5000, checkpointed: 40, source: 40, db: 3 },
  ]);
  const events = regressionEvents(ctxOf(twice).series);
  assert.ok(events.some((e) => e.kind === 'checkpoint-ahead'));
  const once = series([
    { t: 0, checkpointed: 40, source: 40 },
    { t: 5000, checkpointed: 41, source: 41, db: 40 },
  ]);
  assert.equal(seqRegressionRule(ctxOf(once)), null);
});

test('advancing seqs are fine; a regression older than the window has resolved', () => {
  const fine = series([
    { t: 0, checkpointed: 1, source: 2 },
    { t: 5000, checkpointed: 2, source: 3 },
  ]);
  assert.equal(seqRegressionRule(ctxOf(fine)), null);
  const old = series([
    { t: 0, checkpointed: 10, source: 10 },
    { t: 5000, checkpointed: 5, source: 10 },
    { t: 700_000, checkpointed: 10, source: 10 },
  ]);
  assert.equal(seqRegressionRule(ctxOf(old)), null);
});

test('the same reset on a recreated job (new start_time, or the doc seen gone): info, kind checkpoint-reset', () => {
  const { runningDoc } = testSupport;
  const id = 'couchmesh.m.sensors.n1--n2';
  const recreated = {
    ...runningDoc(id, { checkpointed: 0, source: 500, through: 20 }),
    start_time: '2026-11-27T16:05:00Z',
  };
  const snaps = series([
    { t: 0, checkpointed: 500, source: 500 },
    { t: 5000, doc: recreated, checkpointed: 0, through: 20, source: 500 },
  ]);
  const [f] = findings(snaps, 'seq-regression');
  assert.equal(f?.severity, 'info');
  assert.equal(f?.evidence.kind, 'checkpoint-reset');
  assert.match(f?.playbook ?? '', /^a deliberate checkpoint reset/);
  // seen gone in between (the reset deleted the doc), same start_time second
  const gone = series([
    { t: 0, checkpointed: 500, source: 500 },
    { t: 5000, doc: null, source: 500 },
    { t: 10_000, checkpointed: 0, source: 500, through: 20 },
  ]);
  assert.equal(findings(gone, 'seq-regression')[0]?.evidence.kind, 'checkpoint-reset');
  // a reset in the same window as a real regression stays critical
  const both = series([
    { t: 0, checkpointed: 500, source: 500 },
    { t: 5000, doc: null, source: 500 },
    { t: 10_000, checkpointed: 0, source: 500, through: 20 },
    { t: 15_000, checkpointed: 20, source: 500, db: 3 },
  ]);
  assert.equal(findings(both, 'seq-regression')[0]?.severity, 'critical');
});
