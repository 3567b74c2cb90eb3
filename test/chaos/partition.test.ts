// VERIFY-CHAOS (#16), the short deterministic subset of `npm run chaos`: three seeded partition/heal
// runs on the seed mesh (embedded nodes, a fault proxy on each end of each link, writers on several
// nodes). After the final heal: verify finds every pair identical, no acknowledged write is lost
// (winner, losing leaf or ancestor on every node), the plan is empty. Bounded by step and verify-pass
// counts; nothing asserts on elapsed time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionRun } from './lib/partition-run.ts';

const SEEDS = [1, 2, 3];

describe('chaos: partition and heal on the seed mesh', () => {
  for (const seed of SEEDS)
    it(`seed ${seed}: converges, loses no acknowledged write, leaves an empty plan`, async () => {
      const r = await partitionRun(seed);
      assert.deepEqual(r.violations, [], `seed ${seed}:\n  ${r.steps.join('\n  ')}`);
      assert.ok(r.acked > 0, 'the writers wrote');
      assert.equal(r.lost, 0);
    });

  it('seed 1 with lww configured: no conflict left, every acked rev on a losing branch is audited', async () => {
    const r = await partitionRun(1, { strategy: true });
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.equal(r.lost, 0);
    assert.equal(r.conflicted, 0, 'no live conflict left');
  });
});
