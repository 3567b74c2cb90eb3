import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isCouchmeshError } from '../core/errors.ts';
import {
  parseActiveTasks,
  parseCheckpointDoc,
  parseDbInfo,
  parseReplicatorDoc,
  parseReplicatorStats,
  parseSchedulerDoc,
  parseSchedulerDocsPage,
  parseSchedulerJob,
  parseSchedulerJobsPage,
} from './parse.ts';
import { FIXTURE_NAMES, fixture, SAMPLES_DIR, sampleBody } from './test-support.ts';

/** Which parser reads which telemetry sample (by file name). */
const PARSER_OF: Array<[RegExp, (json: unknown) => unknown]> = [
  [/^scheduler-docs.*\.json$/, parseSchedulerDocsPage],
  [/^(scheduler-doc-.*|checkpoint-run\d-scheduler-doc)\.json$/, parseSchedulerDoc],
  [/^scheduler-jobs.*\.json$/, parseSchedulerJobsPage],
  [/^scheduler-job-.*\.json$/, parseSchedulerJob],
  [/^active-tasks.*\.json$/, parseActiveTasks],
  [/^(db-info.*|node1-sensors-dbinfo)\.json$/, parseDbInfo],
  [/^node-stats-couch-replicator\.json$/, parseReplicatorStats],
  [
    /^(checkpoint-.*-local-doc|checkpoint-push-to-.*|replicate-oneshot-10k-response)\.json$/,
    parseCheckpointDoc,
  ],
  [/^replicator-doc-(get-.*|oneshot-after-completion|push-to-node2)\.json$/, parseReplicatorDoc],
];
const parserOf = (file: string) => PARSER_OF.find(([re]) => re.test(file))?.[1];
/** Telemetry samples that are not bodies of these endpoints (writes, listings). */
const NOT_TELEMETRY =
  /^checkpoint-(run\d-replicator-doc-put.*|source-local-docs-list|stop-delete-replicator-doc)\.json$/;
const TELEMETRY = /^(scheduler-|active-tasks|checkpoint-|db-info|node-stats-|node1-sensors-dbinfo)/;

describe('every real CouchDB 3.5.0 telemetry sample parses', () => {
  const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.json'));
  test('each telemetry sample has a parser', () => {
    const unmapped = files.filter((f) => TELEMETRY.test(f) && !NOT_TELEMETRY.test(f) && !parserOf(f));
    assert.deepEqual(unmapped, []);
  });
  for (const file of files) {
    const parse = parserOf(file);
    if (!parse || NOT_TELEMETRY.test(file)) continue;
    test(file, () => {
      const { status, body } = sampleBody(file);
      if (status === 200) assert.ok(parse(body));
      else
        assert.throws(
          () => parse(body),
          (e: unknown) => isCouchmeshError(e) && e.code === 'E_TELEMETRY_SHAPE',
        );
    });
  }
  test('the fixtures are verbatim copies of the samples', () => {
    for (const name of FIXTURE_NAMES) assert.deepEqual(fixture(name), sampleBody(`${name}.json`).body, name);
  });
});

describe('parsed values', () => {
  test('_scheduler/docs: running, crashing (info.error), failed (id null), completed', () => {
    const page = parseSchedulerDocsPage(fixture('scheduler-docs-all'));
    assert.equal(page.total_rows, 4);
    const [running, crashing, failed, completed] = page.docs;
    assert.equal(running?.state, 'running');
    assert.equal(
      running?.info && 'changes_pending' in running.info ? running.info.changes_pending : 'x',
      null,
    );
    assert.deepEqual(crashing?.info, {
      error: 'db_not_found: could not open http://127.0.0.1:25985/no_such_target_db/',
    });
    assert.equal(crashing?.error_count, 1);
    assert.equal(failed?.id, null);
    assert.equal(failed?.source_proxy, null);
    assert.equal(completed?.state, 'completed');
  });

  test('_scheduler/jobs: history newest first with crash reasons; info null when not running', () => {
    const page = parseSchedulerJobsPage(fixture('scheduler-jobs-with-crashing'));
    const crashed = page.jobs[0];
    assert.equal(crashed?.info, null);
    assert.equal(crashed?.pid, null);
    assert.deepEqual(
      crashed?.history.map((e) => e.type),
      ['crashed', 'started', 'added'],
    );
    assert.match(crashed?.history[0]?.reason ?? '', /^db_not_found/);
  });

  test('_active_tasks: replication entries only, shard database name kept', () => {
    const tasks = parseActiveTasks([
      ...(fixture('active-tasks') as unknown[]),
      { type: 'indexer', pid: '<0.1.0>', database: 'shards/x/db', progress: 10 },
    ]);
    assert.equal(tasks.length, 2);
    assert.equal(tasks[0]?.checkpoint_interval, 5000);
    assert.match(tasks[0]?.database ?? '', /^shards\/.*_replicator\.\d+$/);
  });

  test('db info: update_seq and instance_start_time', () => {
    const info = parseDbInfo(fixture('db-info'));
    assert.equal(info.instance_start_time, '1795794504');
    assert.match(String(info.update_seq), /^7-/);
  });

  test('_stats/couch_replicator flattened, with the jobs gauges', () => {
    const stats = parseReplicatorStats(fixture('node-stats-couch-replicator'));
    assert.deepEqual(stats.jobs, { running: 1, pending: 0, crashed: 0, total: 2 });
    assert.equal(stats.values['jobs.crashes'], 1);
    assert.equal(stats.values['checkpoints.success'], 1);
    assert.equal(stats.values.requests, 54);
  });

  test('checkpoint docs: CouchDB and PouchDB forms', () => {
    const run2 = parseCheckpointDoc(fixture('checkpoint-run2-source-local-doc'));
    assert.equal(run2.history.length, 2);
    assert.equal(run2.history[1]?.start_last_seq, 0);
    const pouch = parseCheckpointDoc({
      _id: '_local/abc',
      session_id: 's2',
      last_seq: 12,
      history: [
        { last_seq: 12, session_id: 's2' },
        { last_seq: 7, session_id: 's1' },
      ],
      replicator: 'pouchdb',
      version: 1,
    });
    assert.equal(pouch.source_last_seq, 12);
    assert.equal(pouch.history[1]?.recorded_seq, 7);
  });

  test('embedded-node shapes: crashing info.error null, terminal docs with null endpoints', () => {
    const doc = parseSchedulerDoc({
      database: '_replicator',
      doc_id: 'x',
      id: null,
      source: null,
      target: null,
      state: 'crashing',
      info: { error: null },
      error_count: 2,
    });
    assert.deepEqual(doc.info, { error: null });
    assert.equal(doc.source, null);
  });

  test('a shape error names the endpoint and the field', () => {
    assert.throws(
      () =>
        parseSchedulerDocsPage({
          total_rows: 1,
          docs: [{ database: '_replicator', doc_id: 'x', state: 'dancing' }],
        }),
      (e: unknown) =>
        isCouchmeshError(e) &&
        e.code === 'E_TELEMETRY_SHAPE' &&
        /_scheduler\/docs.*docs\.0\.state/.test(e.message),
    );
    assert.throws(() => parseActiveTasks({ not: 'a list' }), /_active_tasks/);
  });
});
