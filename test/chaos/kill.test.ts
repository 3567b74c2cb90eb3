// VERIFY-CHAOS (#16), kill -9: the seed mesh's nodes as child processes on disk; one node SIGKILLed
// with a `_bulk_docs` in flight and a neighbour's batch replicating into it, started again on the
// same folder and port. Every write it acked before the kill is on its disk right after the restart
// (its links still cut), and after the heal the mesh converges without losing an acknowledged write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killRun } from './lib/kill-run.ts';

describe('chaos: kill -9 mid-replication and mid-_bulk_docs', () => {
  it('seed 1: the victim keeps what it acked; the mesh converges; the plan is empty', async () => {
    const r = await killRun(1);
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.equal(r.lost, 0);
    assert.ok(r.acked > 0);
  });
});
