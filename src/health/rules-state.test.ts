import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseReplicatorStats } from '../observe/parse.ts';
import {
  crashedJob,
  crashingDoc,
  failedDoc,
  fixture,
  runningDoc,
  snapshot,
  T0,
} from '../observe/test-support.ts';
import { crashingRule, docMissingRule, errorRule, failedRule, pendingRule } from './rules-state.ts';
import { ctxOf, findings, N1N2, points, series } from './test-support.ts';

describe('crashing', () => {
  test('db_not_found (scheduler-doc-missing-target-db.json): warning with reason, backoff and a specific hint', () => {
    const doc = crashingDoc(N1N2.docId, 2, T0);
    const f = crashingRule(ctxOf(series([{ t: 0, doc, jobs: [crashedJob(doc, undefined, T0)] }])));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.link, 'n1--n2');
    assert.equal(f?.direction, 'n1->n2');
    assert.equal(f?.evidence.errorCount, 2);
    assert.equal(f?.evidence.backoffMs, 60_000);
    assert.equal(f?.evidence.nextRetryAt, T0 + 60_000);
    assert.match(String(f?.evidence.reason), /^db_not_found/);
    assert.match(f?.message ?? '', /crashing: db_not_found/);
    assert.match(
      f?.playbook ?? '',
      /create it .*; then inspect _replication_state_reason .* couch_replicator log lines/,
    );
  });

  test('critical once crashing for crashing_after_ms (2 min) of consecutive polls (error_count stays 1)', () => {
    const snaps = series(points(26, 5000, (i) => ({ doc: crashingDoc(N1N2.docId, 1, T0 + i * 5000) })));
    const [f] = findings(snaps, 'crashing');
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.evidence.crashingForMs, 125_000);
  });

  test('error_count dates the loop: 4 consecutive crashes have waited 30+60+120 s, critical at once', () => {
    const f = crashingRule(ctxOf(series([{ t: 0, doc: crashingDoc(N1N2.docId, 4, T0) }])));
    assert.equal(f?.evidence.crashingForMs, 210_000);
    assert.equal(f?.severity, 'critical');
  });

  test('a running job, or an unobserved one, is not crashing', () => {
    assert.equal(crashingRule(ctxOf(series([{ t: 0 }]))), null);
    const down = [snapshot('n2', T0, { reachable: false })];
    assert.equal(crashingRule(ctxOf(down)), null);
  });

  test('429 reason points at the re-scan playbook', () => {
    const doc = { ...crashingDoc(N1N2.docId), info: { error: 'max_backoff' } };
    const f = crashingRule(ctxOf(series([{ t: 0, doc }])));
    assert.match(f?.playbook ?? '', /^429s on a constrained gateway: an over-aggressive re-scan/);
  });
});

describe('failed / error', () => {
  test('a duplicate (scheduler-doc-duplicate-replication.json) is failed: critical, terminal', () => {
    const f = failedRule(ctxOf(series([{ t: 0, doc: failedDoc(N1N2.docId) }])));
    assert.equal(f?.severity, 'critical');
    assert.match(f?.message ?? '', /failed \(terminal, will not retry\): Replication `4786b8d8/);
    assert.match(f?.playbook ?? '', /inspect _replication_state_reason/);
  });

  test('error (filter fetch failing): warning, critical after 2 min', () => {
    const doc = (i: number) => ({
      ...crashingDoc(N1N2.docId, i + 1),
      state: 'error' as const,
      info: { error: 'filter fetch failed' },
    });
    assert.equal(errorRule(ctxOf(series([{ t: 0, doc: doc(0) }])))?.severity, 'warning');
    const long = series(points(30, 5000, (i) => ({ doc: doc(i) })));
    assert.equal(errorRule(ctxOf(long))?.severity, 'critical');
    assert.equal(errorRule(ctxOf(series([{ t: 0 }]))), null);
  });
});

describe('pending too long', () => {
  const stats = parseReplicatorStats(fixture('node-stats-couch-replicator'));
  test('pending since last_updated beyond 5 min: scheduler starved, with the node gauges', () => {
    const doc = runningDoc(N1N2.docId, {}, 'pending', T0 - 360_000);
    const snaps = series([{ t: 0, doc, task: false }]);
    (snaps[0] as { stats?: unknown }).stats = stats;
    const f = pendingRule(ctxOf(snaps));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence.pendingForMs, 360_000);
    assert.equal(f?.evidence.jobsRunning, 1);
    assert.equal(f?.evidence.maxJobs, 500);
    assert.match(f?.playbook ?? '', /max_jobs/);
  });

  test('pending for a minute (a rotation) is fine', () => {
    const doc = runningDoc(N1N2.docId, {}, 'pending', T0 - 60_000);
    assert.equal(pendingRule(ctxOf(series([{ t: 0, doc, task: false }]))), null);
  });

  test('without last_updated the trailing pending run dates it', () => {
    const doc = { ...runningDoc(N1N2.docId, {}, 'pending'), last_updated: undefined };
    const snaps = series(points(70, 5000, () => ({ doc, task: false })));
    assert.equal(pendingRule(ctxOf(snaps, T0 + 345_000))?.evidence.pendingForMs, 345_000);
  });
});

describe('doc missing', () => {
  test('the doc node answered without the doc: warning', () => {
    const f = docMissingRule(ctxOf(series([{ t: 0, doc: null }])));
    assert.equal(f?.severity, 'warning');
    assert.equal(f?.evidence.docId, 'couchmesh.m.sensors.n1--n2');
  });
  test('not when the node is unreachable or reduced', () => {
    assert.equal(docMissingRule(ctxOf([snapshot('n2', T0, { reachable: false })])), null);
    assert.equal(docMissingRule(ctxOf([snapshot('n2', T0, { confidence: 'reduced' })])), null);
  });
});
