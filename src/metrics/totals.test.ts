import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PollResult } from '../watch/poller.ts';
import { MeshMetrics } from './exporter.ts';
import { safeLabel } from './labels.ts';
import { RunningTotals } from './totals.ts';

/** A poll where a->b's job run `run` (replication id + start) reports these counters. */
const poll = (run: string | null, written: number | null, failures: number | null = 0): PollResult =>
  ({
    poll: 1,
    startedAt: 0,
    at: 1000,
    snapshots: [],
    findings: [],
    requests: { total: 1 },
    views: [
      {
        mesh: 'm',
        link: 'a--b',
        db: 'd',
        directions: [
          {
            link: 'a--b',
            db: 'd',
            from: 'a',
            to: 'b',
            direction: 'a->b',
            observed: written !== null,
            state: 'running',
            errorCount: 0,
            repId: run === null ? null : 'r1+continuous',
            jobStart: run === null ? null : Number(run),
            lagEstimate: 0,
            changesPending: 0,
            docsWritten: written,
            docWriteFailures: failures,
            checkpointAge: 0,
          },
        ],
      },
    ],
  }) as unknown as PollResult;

const value = (text: string, name: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name}{`))
      ?.split(' ')
      .at(-1),
  );

describe('running totals across job restarts', () => {
  it('adds the difference within a run and the whole value of a new run', () => {
    const t = new RunningTotals();
    assert.deepEqual(
      [
        t.add('k', { run: '1', value: 10 }),
        t.add('k', { run: '1', value: 25 }),
        t.add('k', { run: '1', value: null }), // node unreachable: nothing
        t.add('k', { run: '2', value: 30 }), // restarted and already wrote 30: a new run, not +5
        t.add('k', { run: null, value: 4 }), // run unknown, value fell: a restart
        t.add('k', { run: null, value: 9 }),
      ],
      [10, 15, 0, 30, 4, 5],
    );
  });

  it('couchmesh_link_docs_written_total is a counter that only grows while docs_written resets', async () => {
    const m = new MeshMetrics('m');
    const seen: number[] = [];
    const gauge: number[] = [];
    for (const [run, w] of [
      ['1', 100],
      ['1', 150],
      ['2', 20], // the job crashed and restarted: CouchDB's counter starts again
      [null, null], // the doc node is down
      ['2', 70],
    ] as const) {
      m.update(poll(run, w));
      const text = await m.metrics();
      seen.push(value(text, 'couchmesh_link_docs_written_total'));
      gauge.push(value(text, 'couchmesh_link_docs_written'));
    }
    assert.deepEqual(seen, [100, 150, 170, 170, 220]);
    assert.deepEqual(gauge.filter(Number.isFinite), [100, 150, 20, 70]);
    const text = await m.metrics();
    assert.match(text, /# TYPE couchmesh_link_docs_written_total counter/);
    assert.match(text, /# TYPE couchmesh_link_doc_write_failures_total counter/);
  });
});

describe('conflict, controller and HTTP metrics', () => {
  it('share the exporter registry; labels never carry a secret', async () => {
    const m = new MeshMetrics('m');
    m.conflicts.replace([
      { db: 'sensors', node: 'n1', conflicted: 7 },
      { db: 'logs', node: 'n2', conflicted: 1 },
    ]);
    m.conflicts.replace([{ db: 'sensors', node: 'n1', conflicted: 3 }]);
    m.controller.action('remediate', 'restart-job', 'done');
    m.controller.action('remediate', 'restart-job', 'done');
    m.controller.action('drift', 'apply', 'failed');
    m.controller.reconcileError('drift');
    m.controller.queueDepth('drift', 4);
    m.controller.action('operator', 'http://admin:hunter2@h/x?token=hunter2', 'done');
    const text = await m.metrics();
    assert.match(text, /^couchmesh_db_conflicted_docs\{mesh="m",db="sensors",node="n1"\} 3$/m);
    assert.ok(!text.includes('db="logs"'), 'replace drops databases no longer listed');
    assert.match(text, /# TYPE couchmesh_controller_actions_total counter/);
    assert.match(
      text,
      /^couchmesh_controller_actions_total\{mesh="m",loop="remediate",kind="restart-job",outcome="done"\} 2$/m,
    );
    assert.match(text, /^couchmesh_controller_reconcile_errors_total\{mesh="m",loop="drift"\} 1$/m);
    assert.match(text, /^couchmesh_controller_queue_depth\{mesh="m",loop="drift"\} 4$/m);
    assert.ok(!text.includes('hunter2'), 'no secret in any label');
  });

  it('safeLabel: userinfo masked, query and fragment cut, control characters dropped, length capped', () => {
    assert.equal(safeLabel('https://u:pw@h/p?token=t#f'), 'https://u:***@h/p');
    assert.equal(safeLabel('a\nb'), 'ab');
    assert.equal(safeLabel('x'.repeat(500)).length, 120);
    assert.equal(safeLabel(null), '');
  });
});
