import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILES } from '../../rehearse/link-profile.ts';
import { type ScenarioReport, skippedScenario, summarize } from '../../rehearse/report.ts';
import { paint } from './paint.ts';
import { rehearseProgress, renderRehearse } from './rehearse.ts';

const partition: ScenarioReport = {
  ...skippedScenario('partition', 'link n1--n3 cut for 2000 ms', ''),
  steps: ['0 ms: cut n1--n3', '2000 ms: heal n1--n3'],
  converge_ms: 2558,
  passes: 5,
  writes: { acked: 40, refused: 1, failed: 0 },
  conflicts: { created: 4, resolved: 0, left: 4 },
  actions: { drift: 1, resolve: 23, route: 2 },
  action_kinds: { 'drift/apply': 1, 'resolve/resolve': 23, 'route/relay': 2 },
  invariants: [
    { name: 'identical', ok: true, evidence: 'verify: 5/5 pairs identical after 5 passes' },
    { name: 'no-rescan', ok: false, evidence: '1 directions re-scanned from 0: n1->n3' },
  ],
  passed: false,
};
delete partition.skipped;

const report = summarize(
  {
    mesh: 'seed',
    seed: 1,
    duration_ms: 2000,
    rate: 5,
    nodes: ['n1', 'n2', 'n3', 'n4'],
    links: [{ key: 'n1--n2', class: 'cellular', profile: PROFILES.cellular }],
  },
  [partition, skippedScenario('relay-loss', 'the relay lost', 'skipped: the mesh declares no relay')],
);

describe('rehearse view', () => {
  it('a table row per scenario, then faults and invariants with evidence', () => {
    const text = renderRehearse(report, paint(false));
    assert.match(text, /cellular 60\+0\.\.40 ms per chunk each way/);
    assert.match(
      text,
      /^partition\s+2\.6 s\s+40 \(1 refused\)\s+4\/0\s+drift 1, resolve 23, route 2\s+-\s+0\s+1\/2 FAIL$/m,
    );
    assert.match(text, /^relay-loss\s+-\s+-\s+-\s+-\s+-\s+-\s+skipped: the mesh declares no relay$/m);
    assert.match(text, /controller actions: drift\/apply 1, resolve\/resolve 23, route\/relay 2/);
    assert.match(text, /FAIL no-rescan\s+1 directions re-scanned from 0: n1->n3/);
    assert.match(text, /rehearse seed: 0 passed, 1 failed, 1 skipped$/);
    assert.equal(report.exit_code, 2);
  });

  it('progress lines for the steps worth one', () => {
    assert.equal(rehearseProgress({ type: 'node-started', node: 'n1' }), null);
    assert.equal(
      rehearseProgress({ type: 'converged', name: 'flap', ok: true, ms: 1500, passes: 3 }),
      'flap: converged in 1.5 s (3 verify passes)',
    );
  });
});
