import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crashedJob, crashingDoc, runningDoc, T0 } from '../observe/test-support.ts';
import { lagRule, rescanStormRule, stalledRule, writesFailingRule } from './rules-progress.ts';
import { ctxOf, findings, N1N2, points, series } from './test-support.ts';

describe('stalled', () => {
  test('checkpoint flat for 3 intervals while the source climbs: warning, then critical at 6', () => {
    const snaps = series(points(5, 5000, (i) => ({ checkpointed: 5, source: 10 + 10 * i, through: 5 })));
    const f = stalledRule(ctxOf(snaps));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence.flatForMs, 20_000);
    assert.equal(f?.evidence.windowMs, 15_000);
    assert.equal(f?.evidence.sourceAdvance, 40);
    assert.equal(f?.evidence.intervalsFlat, 4);
    assert.equal(f?.evidence.seqHeuristic, true);
    assert.match(f?.playbook ?? '', /check doc_write_failures/);
    const longer = series(points(8, 5000, (i) => ({ checkpointed: 5, source: 10 + 10 * i })));
    assert.equal(stalledRule(ctxOf(longer))?.severity, 'critical');
  });

  test('found within 2 polls of the window elapsing (issue 6 goal)', () => {
    const snaps = series(points(4, 5000, (i) => ({ checkpointed: 5, source: 6 + i })));
    assert.ok(stalledRule(ctxOf(snaps)), 'flat 15 s = 3 × 5 s');
    assert.equal(stalledRule(ctxOf(snaps.slice(0, 6))), null, 'flat 10 s: not yet');
  });

  test('a healthy continuous job idle on its feed is NOT stalled', () => {
    // checkpoint-run1-scheduler-doc.json idle for a minute: checkpoint = source, neither moves
    const idle = series(points(13, 5000, () => ({ checkpointed: 5, source: 5 })));
    assert.equal(stalledRule(ctxOf(idle)), null);
    // scheduler-doc-auth-objects-running.json: checkpointed "0" (no checkpoint yet), source flat at 5
    const never = series(points(13, 5000, () => ({ checkpointed: 0, source: 5, through: 5 })));
    assert.equal(stalledRule(ctxOf(never)), null);
  });

  test('a checkpoint lagging by less than checkpoint_interval is fine', () => {
    // source +5 each 2.5 s poll; the checkpoint catches up once per 5 s interval
    const snaps = series(
      points(24, 2500, (i) => ({ checkpointed: 5 + 10 * Math.floor(i / 2), source: 10 + 5 * i })),
    );
    assert.equal(stalledRule(ctxOf(snaps, undefined, { pollIntervalMs: 2500 })), null);
  });

  test('the stall floor (spec stall_after_ms) delays it; a crashing job is left to the crashing rule', () => {
    const snaps = series(points(5, 5000, (i) => ({ checkpointed: 5, source: 10 + i })));
    assert.equal(stalledRule(ctxOf(snaps, undefined, { stallFloorMs: 300_000 })), null);
    const crashing = series([
      ...points(4, 5000, (i) => ({ checkpointed: 5, source: 10 + i })),
      { t: 20_000, doc: crashingDoc(N1N2.docId) },
    ]);
    assert.equal(stalledRule(ctxOf(crashing)), null);
  });

  test('changes_pending null (every 3.5.0 sample) is handled; opaque seqs compare by equality', () => {
    const snaps = series(points(5, 5000, (i) => ({ checkpointed: 5, source: 10 + i, pending: null })));
    assert.equal(stalledRule(ctxOf(snaps))?.evidence.changesPending, null);
  });
});

describe('stalled: no progress at all (a hung job), within 2 polls', () => {
  test('through_seq and every counter flat for a poll interval while the source is ahead: warning', () => {
    // polls 5 s apart; the job hangs after t=0 (through 5) while the source climbs
    const snaps = series(points(3, 5000, (i) => ({ checkpointed: 5, through: 5, source: 6 + i })));
    const f = stalledRule(ctxOf(snaps.slice(0, 4)));
    assert.equal(f?.severity, 'warning', 'found at the second poll after the hang');
    assert.equal(f?.evidence.kind, 'no-progress');
    assert.equal(f?.evidence.flatForMs, 5000);
    assert.equal(f?.evidence.behind, 2);
    assert.equal(stalledRule(ctxOf(snaps.slice(0, 2))), null, 'one poll: not yet');
    // the checkpoint-flat rule takes over once its window (3 × checkpoint_interval) is reached
    const longer = series(points(5, 5000, (i) => ({ checkpointed: 5, through: 5, source: 6 + i })));
    assert.equal(stalledRule(ctxOf(longer))?.evidence.kind, 'checkpoint-flat');
  });

  test('not when anything moves, nor when the backlog only appeared after the last poll', () => {
    const moving = series(points(3, 5000, (i) => ({ checkpointed: 5, through: 5 + i, source: 9 + i })));
    assert.equal(stalledRule(ctxOf(moving)), null);
    const fresh = series([
      { t: 0, checkpointed: 5, through: 5, source: 5 },
      { t: 5000, checkpointed: 5, through: 5, source: 8 },
    ]);
    assert.equal(stalledRule(ctxOf(fresh)), null, 'the backlog is younger than a poll: give the job a poll');
    const configured = series(points(3, 5000, (i) => ({ checkpointed: 5, through: 5, source: 6 + i })));
    assert.equal(
      stalledRule(ctxOf(configured, undefined, { pollIntervalMs: 5000, noProgressMs: 20_000 })),
      null,
    );
  });
});

describe('writes failing', () => {
  test('doc_write_failures rising while docs are written: warning; nothing written: critical', () => {
    const some = series(
      points(3, 5000, (i) => ({ checkpointed: 5 + i, source: 5 + i, written: 5 + i, failures: 2 * i })),
    );
    const f = writesFailingRule(ctxOf(some));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence.failuresRisen, 4);
    assert.equal(f?.evidence.docsWrittenRisen, 2);
    const none = series(
      points(3, 5000, (i) => ({ checkpointed: 5, source: 5 + i, written: 5, failures: i })),
    );
    assert.equal(writesFailingRule(ctxOf(none))?.severity, 'critical');
  });

  test('a constant (old) failure count is not rising; a counter reset counts from 0', () => {
    const flat = series(points(4, 5000, () => ({ failures: 7 })));
    assert.equal(writesFailingRule(ctxOf(flat)), null);
    const reset = series([
      { t: 0, failures: 7 },
      { t: 5000, failures: 0 },
      { t: 10_000, failures: 1 },
    ]);
    assert.equal(writesFailingRule(ctxOf(reset))?.evidence.failuresRisen, 1);
  });

  test('failures older than the window are forgotten', () => {
    const old = series([
      { t: 0, failures: 0 },
      { t: 5000, failures: 3 },
      { t: 700_000, failures: 3 },
    ]);
    assert.equal(writesFailingRule(ctxOf(old)), null);
  });
});

describe('lag', () => {
  test('changes_pending over the thresholds', () => {
    assert.equal(lagRule(ctxOf(series([{ t: 0, pending: 1500 }])))?.severity, 'warning');
    const f = lagRule(ctxOf(series([{ t: 0, pending: 20_000 }])));
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.basis, 'changes_pending');
    assert.equal(f?.evidence.seqHeuristic, false);
    assert.equal(lagRule(ctxOf(series([{ t: 0, pending: 999 }]))), null);
  });

  test('changes_pending null: seq-prefix estimate from through_seq, flagged heuristic', () => {
    const f = lagRule(ctxOf(series([{ t: 0, checkpointed: 5, through: 100, source: 3100, pending: null }])));
    assert.equal(f?.evidence.lag, 3000);
    assert.equal(f?.evidence.basis, 'through_seq');
    assert.equal(f?.evidence.seqHeuristic, true);
    assert.match(f?.message ?? '', /estimated from seq prefixes/);
  });

  test('not for crashing jobs (their own finding) nor when unknown', () => {
    assert.equal(lagRule(ctxOf(series([{ t: 0, doc: crashingDoc(N1N2.docId), db: 50_000 }]))), null);
    const doc = runningDoc(N1N2.docId);
    doc.info = null;
    assert.equal(lagRule(ctxOf(series([{ t: 0, doc, task: false }]))), null);
  });
});

describe('re-scan storm', () => {
  const rescan = (reason?: string) =>
    series(
      points(5, 30_000, (i) => ({
        checkpointed: 10 + i,
        source: 1000 + i,
        written: 20,
        checked: 100 + 1500 * i,
        found: 20,
        ...(reason && i === 4 ? { jobs: [crashedJob(runningDoc(N1N2.docId), reason, T0 + 100_000)] } : {}),
      })),
    );

  test('revisions_checked rising far faster than the source, docs_written flat: warning', () => {
    const f = rescanStormRule(ctxOf(rescan()));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence.revisionsCheckedRisen, 6000);
    assert.equal(f?.evidence.docsWrittenRisen, 0);
    assert.equal(f?.evidence.sourceAdvance, 4);
    assert.match(f?.playbook ?? '', /^429s on a constrained gateway: an over-aggressive re-scan/);
  });

  test('plus a max_backoff crash in the job history: critical', () => {
    const f = rescanStormRule(ctxOf(rescan('max_backoff')));
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.maxBackoff, true);
    assert.equal(f?.evidence.rateLimitedCrashes, 1);
  });

  test('a 429 crash reason alone: warning', () => {
    const snaps = series([
      { t: 0, doc: { ...crashingDoc(N1N2.docId), info: { error: 'http 429 Too Many Requests' } } },
    ]);
    assert.equal(findings(snaps, 'rescan-storm')[0]?.severity, 'warning');
  });

  test('full-mesh fan-in (checked ~ source advance, nothing missing) is normal', () => {
    const fanIn = series(
      points(5, 30_000, (i) => ({
        checkpointed: 10 + 1000 * i,
        source: 10 + 1000 * i,
        written: 5,
        checked: 1500 * i,
      })),
    );
    assert.equal(rescanStormRule(ctxOf(fanIn)), null);
    const catchingUp = series(
      points(5, 30_000, (i) => ({ checkpointed: 10 + i, source: 100, written: 1500 * i, checked: 1500 * i })),
    );
    assert.equal(rescanStormRule(ctxOf(catchingUp)), null, 'a re-scan that writes is real catch-up');
  });
});
