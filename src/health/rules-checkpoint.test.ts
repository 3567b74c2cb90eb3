import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCheckpointDoc } from '../observe/parse.ts';
import { fixture } from '../observe/test-support.ts';
import type { CheckpointDoc, CheckpointPair } from '../observe/types.ts';
import { checkpointIntegrityRule, compareCheckpoints } from './rules-checkpoint.ts';

const ck = (name: string): CheckpointDoc => parseCheckpointDoc(fixture(name));
const pair = (source: CheckpointDoc | null, target: CheckpointDoc | null): CheckpointPair => ({
  link: 'n1--n2',
  db: 'sensors',
  from: 'n1',
  to: 'n2',
  source,
  target,
});

test('identical checkpoints (run1 source/target, push-to-node2 pair): no finding', () => {
  assert.equal(
    checkpointIntegrityRule(
      pair(ck('checkpoint-run1-source-local-doc'), ck('checkpoint-run1-target-local-doc')),
    ),
    null,
  );
  assert.equal(
    checkpointIntegrityRule(
      pair(ck('checkpoint-run2-source-local-doc'), ck('checkpoint-run2-target-local-doc')),
    ),
    null,
  );
  const push = pair(
    ck('checkpoint-push-to-node2-on-source-node1'),
    ck('checkpoint-push-to-node2-on-target-node2'),
  );
  assert.deepEqual(compareCheckpoints(push.source, push.target).outcome, 'same-session');
});

test('target one session behind (run2 source vs run1 target): warning, resumes from the shared recorded_seq', () => {
  const f = checkpointIntegrityRule(
    pair(ck('checkpoint-run2-source-local-doc'), ck('checkpoint-run1-target-local-doc')),
  );
  assert.equal(f?.severity, 'warning');
  assert.equal(f?.evidence.outcome, 'common-history');
  assert.equal(f?.evidence.resumeSeq, 5);
  assert.equal(f?.evidence.sourceLastSeq, 10);
  assert.equal(f?.evidence.targetLastSeq, 5);
  assert.equal(f?.direction, 'n1->n2');
});

test('no shared session in the histories: critical (next restart re-scans from 0)', () => {
  const target = ck('checkpoint-run1-target-local-doc');
  const foreign = {
    ...target,
    session_id: 'ffff',
    history: target.history.map((h) => ({ ...h, session_id: 'ffff' })),
  };
  const f = checkpointIntegrityRule(pair(ck('checkpoint-run2-source-local-doc'), foreign));
  assert.equal(f?.severity, 'critical');
  assert.equal(f?.evidence.outcome, 'no-common-ancestry');
  assert.match(f?.playbook ?? '', /delete the _local checkpoints on source and target and recreate the job/);
});

test('a checkpoint deleted on one side: critical; on both: info', () => {
  const f = checkpointIntegrityRule(pair(ck('checkpoint-run2-source-local-doc'), null));
  assert.equal(f?.severity, 'critical');
  assert.match(f?.message ?? '', /checkpoint on the target is missing/);
  assert.equal(f?.evidence.targetSession, null);
  assert.equal(
    checkpointIntegrityRule(pair(null, ck('checkpoint-run2-target-local-doc')))?.severity,
    'critical',
  );
  assert.equal(checkpointIntegrityRule(pair(null, null))?.severity, 'info');
});

test('same session, different source_last_seq: warning', () => {
  const source = ck('checkpoint-run2-source-local-doc');
  const target = { ...ck('checkpoint-run2-target-local-doc'), source_last_seq: '9-abc' };
  assert.equal(checkpointIntegrityRule(pair(source, target))?.evidence.outcome, 'same-session-diverged');
});
