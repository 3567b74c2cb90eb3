import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusReport } from '../../ops/status.ts';
import { RunView } from './run.ts';

const status = (poll: number, reachable: number): StatusReport =>
  ({
    poll,
    summary: {
      nodes: 2,
      nodes_reachable: reachable,
      by_state: { running: 2 },
      findings: { critical: 0, warning: 0, info: 0 },
    },
  }) as unknown as StatusReport;

describe('couchmesh run progress lines', () => {
  it('prints a poll line only when the summary changes', () => {
    const v = new RunView();
    assert.match(
      v.line({ type: 'poll', generation: 1, status: status(1, 2) }) ?? '',
      /^poll 1: 2\/2 nodes reachable; directions: 2 running/,
    );
    assert.equal(v.line({ type: 'poll', generation: 2, status: status(2, 2) }), null);
    assert.match(v.line({ type: 'poll', generation: 3, status: status(3, 1) }) ?? '', /^poll 3: 1\/2/);
  });

  it('prints every action and finding transition', () => {
    const v = new RunView();
    const line = v.line({
      type: 'action',
      generation: 1,
      action: {
        id: 'a',
        at: '',
        loop: 'drift',
        kind: 'apply',
        target: 'mesh',
        outcome: 'dry-run',
        detail: 'would apply 1 update-doc',
      },
    });
    assert.equal(line, '* drift apply mesh: dry-run — would apply 1 update-doc');
    assert.equal(v.line({ type: 'drift', generation: 2, drift: { at: '', changes: {} } }), null);
  });
});
