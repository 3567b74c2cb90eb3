import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VerifyOutcome } from '../../ops/verify.ts';
import { emptyTally } from '../../verify/compare.ts';
import { paint } from './paint.ts';
import { ProgressLine, renderVerify } from './verify.ts';

const stats = {
  buckets: 16,
  differing_buckets: 1,
  rounds: 1,
  pages: 2,
  docs_read: 5,
  max_page_rows: 3,
  max_held_docs: 4,
};

describe('verify view', () => {
  test('divergent pair: counts, first ids and how many more; the repair runs; the second report', () => {
    const t = emptyTally();
    t.missing_on_b = { count: 12, ids: ['a', 'b'] };
    const o: VerifyOutcome = {
      report: {
        mesh: 'm',
        databases: [
          {
            db: 'sensors',
            nodes: [
              { node: 'n1', state: 'ok', docs: 12 },
              { node: 'n2', state: 'ok', docs: 0 },
            ],
            pairs: [{ a: 'n1', b: 'n2', state: 'divergent', differing_buckets: 1, ...t }],
            stats,
          },
        ],
        summary: { pairs: 1, identical: 0, divergent: 1, not_compared: 0, unreachable: [] },
      },
      repairs: [
        {
          db: 'sensors',
          link: 'n1--n2',
          direction: 'n1->n2',
          doc_node: 'n2',
          docs: 12,
          state: 'completed',
          jobs: 1,
          docs_written: 12,
          doc_write_failures: 0,
        },
      ],
      exit_code: 2,
    };
    const text = renderVerify(o, paint(false));
    assert.match(
      text,
      /^sensors \(n1 12 docs, n2 0 docs\)\n {2}n1 -- n2 {2}divergent\n {4}12 missing on n2: a, b, … \(10 more\)/,
    );
    assert.match(text, /verify m: 1 pair: 0 identical, 1 divergent/);
    assert.match(
      text,
      /repair:\n {2}n1->n2 \(sensors\): 12 docs, 12 written, 0 write failures \(1 one-shot job on n2\)/,
    );
  });

  test('the progress line: documents read per node in the current pass', () => {
    const p = new ProgressLine();
    p.update({ kind: 'read', phase: 'before', db: 'd', node: 'n1', pass: 1, docs: 10 });
    assert.equal(
      p.update({ kind: 'read', phase: 'before', db: 'd', node: 'n2', pass: 1, docs: 5 }),
      'verify d pass 1: n1 10 docs, n2 5 docs',
    );
    assert.equal(
      p.update({ kind: 'read', phase: 'before', db: 'd', node: 'n2', pass: 2, docs: 3 }),
      'verify d pass 2: n2 3 docs',
    );
  });
});
