// VERIFY-CHAOS (#16): the controller SIGKILLed mid-apply and mid-resolution, started again on the same
// state folder (test/chaos/lib/controller-kill.ts; `npm run chaos -- --controller N` runs more seeds).
// Mid-apply: the plan is empty after the restart, every managed `_replicator` doc was written once,
// the killed apply recorded (write-ahead intent: `interrupted`), one completed drift action at most. Mid-resolution: no conflict left, one resolution entry per document
// naming both of its leaves, the resolve actions counting no document twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killMidApply, killMidResolve } from '../chaos/lib/controller-kill.ts';

describe('couchmesh run: SIGKILL mid-apply and mid-resolution', () => {
  it('mid-apply (seed 1): converges on restart, nothing written twice', { timeout: 120_000 }, async () => {
    const r = await killMidApply(1);
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.equal(r.docs, 20);
    // the action log is not at-most-once: the killed apply is there (interrupted, or its outcome)
    assert.ok(r.actions?.length, 'a drift action after the restart');
    const cut = r.actions?.find((a) => a.outcome === 'interrupted');
    if (cut) assert.match(cut.detail, /about to apply \d+ /);
  });

  it('mid-resolution (seed 1): every conflict resolved exactly once, every loser audited', {
    timeout: 120_000,
  }, async () => {
    const r = await killMidResolve(1, { conflicts: 800 });
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.equal(r.lost, 0);
    assert.ok(r.actions?.length, 'resolve actions after the restart');
    const cut = r.actions?.find((a) => a.outcome === 'interrupted');
    if (cut) assert.match(cut.detail, /about to resolve \d+ conflicted document/);
  });
});
