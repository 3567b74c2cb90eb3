import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstN, type ScenarioReport, skippedScenario, summarize } from './report.ts';

const head = { mesh: 'seed', seed: 1, duration_ms: 1000, rate: 5, nodes: ['n1'], links: [] };
/** A scenario that ran (a skipped one without its reason). */
function ran(passed: boolean): ScenarioReport {
  const { skipped: _, ...s } = skippedScenario('partition', 'link cut', '');
  return { ...s, passed };
}

describe('rehearse report', () => {
  it('exit 0 when every scenario that ran passed; skipped ones count apart', () => {
    const { skipped: _, ...ok } = ran(true);
    const r = summarize(head, [
      ok as ScenarioReport,
      skippedScenario('relay-loss', 'relay lost', 'no relay'),
    ]);
    assert.deepEqual(r.summary, { run: 1, passed: 1, failed: 0, skipped: 1 });
    assert.equal(r.exit_code, 0);
  });

  it('exit 2 when an invariant failed in one scenario', () => {
    const r = summarize(head, [ran(false)]);
    assert.deepEqual(r.summary, { run: 1, passed: 0, failed: 1, skipped: 0 });
    assert.equal(r.exit_code, 2);
  });

  it('firstN lists a few and counts the rest', () => {
    assert.equal(firstN(['a', 'b']), 'a, b');
    assert.equal(firstN(['a', 'b', 'c', 'd', 'e']), 'a, b, c (+2)');
  });
});
