import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareReplicationLogs, type ReplicationHistoryEntry } from './replication-log.ts';

const common = (
  seq: number,
  history: ReplicationHistoryEntry[],
  entry: ReplicationHistoryEntry,
  side: string,
) => ({
  kind: 'common-ancestor',
  seq,
  history,
  entry,
  side,
});

const h = (session_id: string, recorded_seq?: number): ReplicationHistoryEntry =>
  recorded_seq === undefined ? { session_id } : { session_id, recorded_seq };

describe('compare_replication_logs', () => {
  test('same session: the source side source_last_seq and history (defaults 0 and [])', () => {
    const history = [h('s', 9)];
    assert.deepEqual(
      compareReplicationLogs({ session_id: 's', source_last_seq: '9-x', history }, { session_id: 's' }),
      { kind: 'same-session', seq: '9-x', history },
    );
    assert.deepEqual(compareReplicationLogs({ session_id: 's' }, { session_id: 's', source_last_seq: 4 }), {
      kind: 'same-session',
      seq: 0,
      history: [],
    });
  });

  test("the source's head found anywhere in the target: its recorded_seq and the source history after it", () => {
    const src = [h('new', 30), h('b', 20), h('a', 10)];
    const tgt = [h('other', 25), h('x', 15), h('new', 30)];
    const c = compareReplicationLogs(
      { session_id: 'new', history: src },
      { session_id: 'other', history: tgt },
    );
    assert.equal(c.kind, 'common-ancestor');
    assert.equal(c.seq, 30);
    assert.deepEqual(c.history, [h('b', 20), h('a', 10)]);
  });

  test("else the target's head found in the rest of the source: its recorded_seq and the target history after it", () => {
    const src = [h('s2', 30), h('t1', 12), h('s0', 5)];
    const tgt = [h('t1', 12), h('t0', 8)];
    const c = compareReplicationLogs({ session_id: 's2', history: src }, { session_id: 't9', history: tgt });
    assert.deepEqual(c, common(12, [h('t0', 8)], h('t1', 12), 'target'));
  });

  test('at each step the source head is tried before the target head (one step drops both heads)', () => {
    const c = compareReplicationLogs(
      { session_id: 'x', history: [h('a', 1), h('b', 2)] },
      { session_id: 'y', history: [h('b', 2), h('a', 1)] },
    );
    assert.deepEqual(c, common(1, [h('b', 2)], h('a', 1), 'source'));
    const d = compareReplicationLogs(
      { session_id: 'x', history: [h('c', 3), h('d', 4), h('a', 1)] },
      { session_id: 'y', history: [h('a', 1)] },
    );
    assert.deepEqual(d, common(1, [], h('a', 1), 'target'));
  });

  test('no shared session, or an empty history on either side: no common ancestry (recorded_seq default 0)', () => {
    assert.deepEqual(
      compareReplicationLogs(
        { session_id: 'a', history: [h('a', 1)] },
        { session_id: 'b', history: [h('b', 2)] },
      ),
      { kind: 'no-common-ancestry', seq: 0, history: [] },
    );
    assert.equal(
      compareReplicationLogs({ session_id: 'a' }, { session_id: 'b', history: [h('a', 1)] }).kind,
      'no-common-ancestry',
    );
    const c = compareReplicationLogs(
      { session_id: 'a', history: [h('z')] },
      { session_id: 'b', history: [h('z')] },
    );
    assert.equal(c.seq, 0);
  });
});
