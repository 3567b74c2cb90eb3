import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CheckpointSessions, checkpointSessions, findRescans } from './rescans.ts';

const cp = (
  node: string,
  sessions: Array<[string, number | string, number | string]>,
): CheckpointSessions => ({
  node,
  db: 'sensors',
  id: 'abc',
  sessions: sessions.map(([session_id, start_last_seq, recorded_seq]) => ({
    session_id,
    start_last_seq,
    recorded_seq,
  })),
});

describe('rehearse re-scans from the checkpoints', () => {
  it('reads the sessions of checkpoint docs only', () => {
    const rows = [
      { id: '_local/abc', doc: { history: [{ session_id: 's1', start_last_seq: 0, recorded_seq: '5-x' }] } },
      { id: '_local/other', doc: { some: 'thing' } },
    ];
    assert.deepEqual(checkpointSessions('n1', 'sensors', rows), [cp('n1', [['s1', 0, '5-x']])]);
  });

  it('a job resuming from its checkpoint is no re-scan; a new session from 0 after progress is one', () => {
    const before = [cp('n1', [['s1', 0, '5-x']]), cp('n2', [['s1', 0, '5-x']])];
    const resumed = [
      cp('n1', [
        ['s2', '5-x', '9-y'],
        ['s1', 0, '5-x'],
      ]),
    ];
    assert.deepEqual(findRescans(before, resumed, []), []);
    const rescanned = [
      cp('n1', [
        ['s3', 0, '9-y'],
        ['s1', 0, '5-x'],
      ]),
    ];
    const r = findRescans(before, rescanned, [], new Map([['abc', 'n1->n2 sensors']]));
    assert.deepEqual(r, [
      { db: 'sensors', id: 'abc', label: 'n1->n2 sensors', nodes: ['n1', 'n2'], expected: false },
    ]);
  });

  it('a first replication from 0 is by design; a recreated database makes its re-scan expected', () => {
    assert.deepEqual(findRescans([cp('n1', [['s1', 0, 0]])], [cp('n1', [['s2', 0, 3]])], []), []);
    const before = [cp('n1', [['s1', 0, 7]]), cp('n2', [['s1', 0, 7]])];
    const after = [cp('n1', [['s2', 0, 9]])];
    assert.equal(findRescans(before, after, ['n2/sensors'])[0]?.expected, true);
    assert.equal(findRescans(before, after, ['n3/sensors'])[0]?.expected, false);
  });

  it('a job running now from seq 0 on a replication that had progressed is a re-scan not yet checkpointed', () => {
    const before = [cp('n1', [['s1', 0, 7]]), cp('n2', [['s1', 0, 7]])];
    const job = (seq: string | null, state = 'running') => ({
      id: 'abc',
      state,
      checkpointed_source_seq: seq,
    });
    assert.equal(findRescans(before, before, [], new Map(), [job('0')]).length, 1);
    assert.equal(findRescans(before, before, [], new Map(), [job('7')]).length, 0);
    assert.equal(findRescans(before, before, [], new Map(), [job('0', 'pending')]).length, 0);
    assert.equal(findRescans([cp('n1', [['s1', 0, 0]])], before, [], new Map(), [job('0')]).length, 0);
  });
});
