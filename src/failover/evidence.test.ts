import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evidence, newSince } from './evidence.ts';

const base = { now: 100, thresholdMs: 2000, canary: [], hasCanary: false, jobIsDirect: true };
const obs = (states: string[], unreachable: string[] = []) => ({ states, unreachable });
const sample = (at: number, latencyMs: number | null) => ({ from: 'a', to: 'b', at, latencyMs });

describe('failover evidence: one pass -> rule samples of the direct path', () => {
  it('canary samples: over the threshold or lost are bad, each with its reason', () => {
    const s = evidence({
      ...base,
      hasCanary: true,
      canary: [sample(1, 2500), sample(2, 100), sample(3, null)],
      observation: obs(['running']),
    });
    assert.deepEqual(
      s.map((x) => [x.at, x.bad, x.why]),
      [
        [1, true, 'canary 2500 ms > 2000 ms'],
        [2, false, 'canary 100 ms'],
        [3, true, 'canary lost (not seen within its timeout)'],
      ],
    );
  });

  it('a crashing job or an unreachable endpoint is a bad sample at the pass time', () => {
    assert.deepEqual(evidence({ ...base, observation: obs(['running', 'crashing']) }), [
      { at: 100, bad: true, why: 'job crashing' },
    ]);
    assert.deepEqual(evidence({ ...base, observation: obs(['unknown'], ['b']) }), [
      { at: 100, bad: true, why: 'b unreachable' },
    ]);
  });

  it('a running job is good evidence only without canaries, and only on the direct path', () => {
    assert.equal(evidence({ ...base, observation: obs(['running']) })[0]?.bad, false);
    assert.deepEqual(evidence({ ...base, hasCanary: true, observation: obs(['running']) }), []);
    assert.deepEqual(evidence({ ...base, jobIsDirect: false, observation: obs(['crashing']) }), []);
    assert.deepEqual(evidence({ ...base, observation: obs(['pending']) }), []);
    assert.deepEqual(evidence({ ...base, observation: undefined }), []);
  });

  it('newSince: samples after the cursor, oldest first', () => {
    const all = [sample(3, 1), sample(1, 1), sample(2, 1)];
    assert.deepEqual(
      newSince(all, 1).map((s) => s.at),
      [2, 3],
    );
    assert.equal(newSince(all, null).length, 3);
  });
});
