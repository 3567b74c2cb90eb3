// VERIFY-CHAOS (#16), `couchmesh rehearse -f examples/seed-mesh.yaml --scenario partition` end to end
// through its operation: the seed mesh on embedded nodes (in this process, on disk) behind fault
// proxies with the cellular profile, writers on every node, one link cut then healed, the
// controller's work until convergence, and the invariants. Deterministic choices (seed 1); nothing
// asserts on elapsed time, only on what the report says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRehearsalController } from '../../src/controller/rehearsal.ts';
import { startNode } from '../../src/node/index.ts';
import { type RehearseEvent, rehearseOperation } from '../../src/ops/rehearse.ts';
import { INVARIANTS } from '../../src/rehearse/report.ts';

const SEED_MESH = new URL('../../examples/seed-mesh.yaml', import.meta.url).pathname;

describe('couchmesh rehearse on the seed mesh', () => {
  it('--scenario partition: converges, every invariant holds, the report says what happened', async () => {
    const events: RehearseEvent[] = [];
    const r = await rehearseOperation(
      { file: SEED_MESH, scenarios: ['partition'], durationS: 2, seed: 1, rate: 4 },
      { env: {}, startNode, startController: startRehearsalController },
      (e) => events.push(e),
    );
    assert.equal(r.mesh, 'seed');
    assert.deepEqual(r.nodes, ['n1', 'n2', 'n3', 'n4']);
    assert.deepEqual(
      r.links.map((l) => [l.key, l.class, l.profile.like]),
      ['n1--n2', 'n2--n3', 'n1--n3', 'n3--n4', 'n2--n4'].map((k) => [k, 'cellular', 'cellular']),
    );
    assert.equal(r.scenarios.length, 1);
    const s = r.scenarios[0];
    assert.ok(s);
    const failed = s.invariants.filter((i) => !i.ok);
    assert.deepEqual(failed, [], s.steps.join('\n'));
    assert.deepEqual(
      s.invariants.map((i) => i.name),
      [...INVARIANTS],
    );
    assert.equal(s.passed, true);
    assert.equal(r.exit_code, 0);
    assert.deepEqual(r.summary, { run: 1, passed: 1, failed: 0, skipped: 0 });
    // one declared link cut at 0 and healed at the duration
    assert.match(s.steps[0] ?? '', /^0 ms: cut n\d--n\d$/);
    assert.match(s.steps[1] ?? '', /^2000 ms: heal n\d--n\d$/);
    assert.ok(s.writes.acked > 0, 'the writers wrote');
    assert.ok(s.converge_ms !== null && s.converge_ms >= 0);
    assert.equal(s.relayed_bytes, null, 'the seed mesh has no relay');
    assert.equal(s.rescans.unexpected, 0);
    // progress in order: the world, then the scenario's cut, heal, convergence and check
    const kinds = events.map((e) => e.type).filter((t) => t !== 'node-started');
    assert.deepEqual(kinds, [
      'starting',
      'applied',
      'controller',
      'scenario',
      'fault',
      'fault',
      'healed',
      'converged',
      'checked',
    ]);
  });
});
