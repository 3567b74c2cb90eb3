import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterReport, resolveLinks, statusExitCode } from './status-filter.ts';
import { finding, meshReport } from './status-test-support.ts';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('status filters', () => {
  const r = meshReport(4, { 'n2->n3': 'crashing', 'n1->n4': 'pending' });

  test('--problems keeps directions not running or with a finding; the summary still counts everything', () => {
    const f = filterReport(r, { problems: true });
    assert.deepEqual(
      f.directions.map((d) => `${d.direction} ${d.state}`),
      ['n1->n4 pending', 'n2->n3 crashing'],
    );
    assert.deepEqual(f.summary, r.summary);
    assert.equal(f.summary.directions, 12);
    assert.deepEqual(f.filtered?.shown, { directions: 2, nodes: 0, findings: 1 });
    // a running direction with a warning is a problem too
    const warned = { ...r, findings: [...r.findings, finding(r.directions[0] as never, 'lag', 'warning')] };
    assert.equal(filterReport(warned, { problems: true }).directions.length, 3);
  });

  test('--link (either order, repeatable) keeps its directions, its nodes and their findings', () => {
    const f = filterReport(r, { links: ['n2--n3'] });
    assert.deepEqual(
      f.directions.map((d) => d.direction),
      ['n2->n3', 'n3->n2'],
    );
    assert.deepEqual(
      f.nodes.map((n) => n.node),
      ['n2', 'n3'],
    );
    assert.equal(f.findings.length, 1);
    assert.deepEqual(resolveLinks(['n3--n2', 'n1--n4'], ['n1--n4', 'n2--n3']), ['n2--n3', 'n1--n4']);
    assert.throws(() => resolveLinks(['n1--n9'], ['n1--n2']), code('E_NO_SUCH_LINK'));
  });

  test('--state (repeatable) and combinations', () => {
    assert.deepEqual(
      filterReport(r, { states: ['crashing', 'pending'] }).directions.map((d) => d.direction),
      ['n1->n4', 'n2->n3'],
    );
    assert.equal(filterReport(r, { states: ['crashing'], links: ['n1--n4'] }).directions.length, 0);
    assert.equal(filterReport(r, {}), r, 'no filter: the same report');
  });

  test('exit status: 0 healthy, 1 warnings, 2 critical — of what is shown', () => {
    assert.equal(statusExitCode(meshReport(3)), 0);
    assert.equal(statusExitCode(r), 2);
    assert.equal(statusExitCode(filterReport(r, { links: ['n1--n2'] })), 0, 'one healthy link checked');
    const warn = {
      findings: [
        finding({ node: 'n1' }, 'stale-telemetry', 'info'),
        finding({ node: 'n1' }, 'lag', 'warning'),
      ],
    };
    assert.equal(statusExitCode(warn), 1);
    assert.equal(statusExitCode({ findings: [finding({ node: 'n1' }, 'stale-telemetry', 'info')] }), 0);
  });
});
