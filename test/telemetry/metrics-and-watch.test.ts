// `couchmesh metrics` (Prometheus exposition on 127.0.0.1) and `couchmesh status --watch` (one JSON
// object per poll, alert transitions to an NDJSON log), on a mesh with one healthy and one crashing link.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AlertEvent } from '../../src/alerts/types.ts';
import { metricsOperation } from '../../src/ops/metrics.ts';
import { statusOperation } from '../../src/ops/status-run.ts';
import { DB, TelemetryMesh, until } from './helpers.ts';

describe('telemetry: metrics and status --watch', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start(
      [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }],
      [
        ['n1', 'n2'],
        ['n2', 'n3'],
      ],
    );
    await mesh.apply({ skipDbOn: ['n3'] });
    await mesh.write('n1', 'doc', 12);
    await until('n1 docs on n2', async () =>
      (await mesh.ok('n2', 'GET', `/${DB}`)).doc_count === 12 ? true : undefined,
    );
  });
  after(() => mesh.close());

  it('metrics: per link direction state (one-hot), lag, pending, written, failures, age, crashes; per node', async () => {
    const ac = new AbortController();
    let url = '';
    const run = metricsOperation(
      { file: mesh.file, port: 0, intervalMs: 100 },
      { ...mesh.deps(), signal: ac.signal },
      (r) => {
        url = r.server.url;
      },
    );
    const text = await until('metrics with docs written', async () => {
      if (!url) return undefined;
      const t = await (await fetch(`${url}/metrics`)).text();
      // the checkpoint age needs two polls that saw the same checkpoint. A crashing job is retried
      // when its backoff ends and reports `running` until it crashes again (couch_replicator_scheduler
      // does the same; src/node/replicator/scheduler-step.ts `start`): under load that attempt can be
      // the one a poll sees (n2 then holds 2 running jobs, 0 crashing), so wait for a poll that saw
      // both crashing directions between two attempts. The crash count comes from `_scheduler/jobs`
      // and the state from `_scheduler/docs`, read one after the other: wait for both to agree.
      const settled = [
        /couchmesh_link_crash_count\{[^}]*direction="n2->n3"[^}]*\} [1-9]/,
        /couchmesh_link_docs_written\{[^}]*direction="n1->n2"[^}]*\} 12/,
        /couchmesh_link_checkpoint_age_seconds\{[^}]*direction="n1->n2"/,
        /couchmesh_link_state\{[^}]*direction="n2->n3"[^}]*state="crashing"\} 1/,
        /couchmesh_link_state\{[^}]*direction="n3->n2"[^}]*state="crashing"\} 1/,
      ];
      return settled.every((re) => re.test(t)) ? t : undefined;
    });
    ac.abort();
    await run;
    assert.ok(url.startsWith('http://127.0.0.1:'));
    const line = (re: RegExp) => text.split('\n').find((l) => re.test(l));
    const L = 'mesh="t",link="n1--n2",db="sensors",direction="n1->n2",from="n1",to="n2"';
    assert.equal(
      line(new RegExp(`^couchmesh_link_state\\{${L},state="running"\\} 1$`))?.endsWith(' 1'),
      true,
    );
    assert.ok(line(new RegExp(`^couchmesh_link_state\\{${L},state="crashing"\\} 0$`)));
    assert.ok(line(/^couchmesh_link_state\{.*direction="n2->n3".*state="crashing"\} 1$/));
    assert.ok(line(new RegExp(`^couchmesh_link_lag_changes\\{${L}\\} 0$`)));
    assert.ok(line(new RegExp(`^couchmesh_link_doc_write_failures\\{${L}\\} 0$`)));
    assert.ok(line(new RegExp(`^couchmesh_link_crash_count\\{${L}\\} 0$`)));
    assert.ok(line(/^couchmesh_link_crash_count\{.*direction="n2->n3".*\} [1-9]/));
    assert.ok(line(new RegExp(`^couchmesh_link_checkpoint_age_seconds\\{${L}\\} [0-9.]+$`)));
    // changes_pending: present when the job reports one (CouchDB may report null)
    assert.match(text, /# TYPE couchmesh_link_changes_pending gauge/);
    assert.ok(line(/^couchmesh_node_reachable\{mesh="t",node="n3"\} 1$/));
    // on failure, show the states the poll saw instead
    const seen = text.split('\n').filter((l) => /^couchmesh_(node_jobs|link_state)\{.*\} [1-9]/.test(l));
    assert.ok(line(/^couchmesh_node_jobs\{mesh="t",node="n2",state="running"\} 1$/), seen.join('\n'));
    assert.ok(line(/^couchmesh_node_jobs\{mesh="t",node="n2",state="crashing"\} 1$/), seen.join('\n'));
    assert.ok(line(/^couchmesh_findings\{mesh="t",severity="critical"\} [1-9]/));
    assert.match(text, /# HELP couchmesh_link_lag_changes .*HEURISTIC/);
    assert.match(text, /# TYPE couchmesh_link_state gauge/);
    // the running total across job runs is a counter; n1's 12 docs reached n2 through n1->n2
    assert.match(text, /# TYPE couchmesh_link_docs_written_total counter/);
    assert.match(text, /^couchmesh_link_docs_written_total\{[^}]*direction="n1->n2"[^}]*\} 12$/m);
    assert.ok(!text.includes(mesh.password));
  });

  it('status --watch: one report per poll, deduplicated alert transitions to the log sink', async () => {
    const log = join(mesh.dir, 'watch-alerts.ndjson');
    const run = await statusOperation(
      { file: mesh.file, watch: true, count: 4, intervalMs: 50, alertLog: [log] },
      mesh.deps(),
    );
    assert.equal(run.reports.length, 4);
    assert.deepEqual(
      run.reports.map((r) => r.poll),
      [1, 2, 3, 4],
    );
    const r = run.reports.at(-1);
    assert.equal(r?.summary.nodes_reachable, 3);
    const d = r?.directions.find((x) => x.direction === 'n1->n2');
    assert.equal(d?.state, 'running');
    assert.equal(d?.docs_written, 12);
    assert.equal(d?.lag_heuristic, true);
    assert.equal(d?.checkpoint_age_basis, 'checkpoint-doc');
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AlertEvent);
    // the two crashing directions were raised once, not once per poll
    const crashing = events.filter((e) => e.rule === 'crashing');
    assert.deepEqual(crashing.map((e) => `${e.event} ${e.direction}`).sort(), [
      'raised n2->n3',
      'raised n3->n2',
    ]);
    assert.deepEqual(run.alertStats, [{ sink: `log ${log}`, sent: events.length, failed: 0 }]);
  });

  it('status filters and --exit-status: rows filtered, summary whole, exit status of what is shown', async () => {
    const crashing = await until('n2--n3 crashing (no target db on n3)', async () => {
      const run = await statusOperation({ file: mesh.file, filter: { states: ['crashing'] } }, mesh.deps());
      return run.reports[0]?.directions.length ? run : undefined;
    });
    const r = crashing.reports[0];
    assert.ok(r?.directions.every((d) => d.state === 'crashing' && d.link === 'n2--n3'));
    assert.equal(r?.summary.directions, 4, 'the summary counts every direction');
    assert.ok(crashing.exitCode >= 1, `a crash loop is a warning or critical: ${crashing.exitCode}`);
    const healthy = await statusOperation({ file: mesh.file, filter: { links: ['n2--n1'] } }, mesh.deps());
    assert.deepEqual(healthy.reports[0]?.filtered?.links, ['n1--n2']);
    assert.deepEqual(healthy.reports[0]?.directions.map((d) => d.direction).sort(), ['n1->n2', 'n2->n1']);
    assert.equal(healthy.exitCode, 0, JSON.stringify(healthy.reports[0]?.findings));
    await assert.rejects(
      statusOperation({ file: mesh.file, filter: { links: ['n1--n9'] } }, mesh.deps()),
      (e: { code?: string }) => e.code === 'E_NO_SUCH_LINK',
    );
  });
});
