// Side reads of a node: a failure drops that data with a note (never an unreachable node); a
// cluster's `_stats` read per live member and summed (cluster-samples/81: `_node/_local/_stats` is
// one member's own jobs); `_replicator` ids read only when `_scheduler/docs` rows are missing (46).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CouchError, CouchErrorCode } from '../couch/errors.ts';
import { clusterFixture, M91, M92, M93, REPLICATOR_IDS } from './cluster-test-support.ts';
import { parseSchedulerDocsPage } from './parse.ts';
import {
  replicatorIds,
  type SideGet,
  type SideNote,
  type SlowSide,
  sideRead,
  slowReads,
} from './side-reads.ts';
import { fixture } from './test-support.ts';

const http = (status: number, path: string) =>
  new CouchError(CouchErrorCode.HTTP, `GET ${path} -> ${status}`, {
    node: 'http://127.0.0.1:1',
    method: 'GET',
    path,
    status,
    error: status === 500 ? 'unknown_error' : 'not_found',
    reason: status === 500 ? 'function_clause' : 'missing',
  });

/** A `get` answering from a table (a function of the path), counting the paths asked. */
function fakeGet(table: Record<string, () => unknown>) {
  const asked: string[] = [];
  const get: SideGet = async <T>(path: string) => {
    asked.push(path);
    const f = table[path];
    if (!f) throw http(404, path);
    return f() as T;
  };
  return { get, asked };
}

const STATS = fixture('node-stats-couch-replicator');
const wants = { jobs: true, stats: true, membership: true, pageSize: 500, now: () => 1 };

describe('side reads', () => {
  test('a 500 from _scheduler/jobs (function_clause while a member goes down): no jobs, a note', async () => {
    const notes: SideNote[] = [];
    const into: SlowSide = { jobs: [], jobsAt: 0 };
    const { get } = fakeGet({
      '/_scheduler/jobs': () => {
        throw http(500, '/_scheduler/jobs');
      },
      '/_node/_local/_stats/couch_replicator': () => STATS,
    });
    await slowReads(get, { ...wants, membership: false }, into, notes);
    assert.equal(into.jobs, undefined);
    assert.equal(into.stats?.jobs.total !== undefined, true);
    assert.deepEqual(
      notes.map((n) => [n.read, n.code]),
      [['_scheduler/jobs', 'E_COUCH_HTTP']],
    );
  });

  test('a bug is not a note: it propagates', async () => {
    await assert.rejects(
      sideRead('_active_tasks', Promise.reject(new TypeError('x is not a function')), []),
      TypeError,
    );
  });

  test('a 404 is "not on this server": no data, no note', async () => {
    const notes: SideNote[] = [];
    assert.equal(await sideRead('_membership', Promise.reject(http(404, '/_membership')), notes), undefined);
    assert.deepEqual(notes, []);
  });

  test('a cluster: _stats of each live member, summed; none of the down member', async () => {
    const notes: SideNote[] = [];
    const into: SlowSide = {};
    const { get, asked } = fakeGet({
      '/_membership': () => clusterFixture('membership-93-down'),
      '/_scheduler/jobs': () => ({ total_rows: 0, offset: 0, jobs: [] }),
      [`/_node/${encodeURIComponent(M91)}/_stats/couch_replicator`]: () => STATS,
      [`/_node/${encodeURIComponent(M92)}/_stats/couch_replicator`]: () => STATS,
    });
    await slowReads(get, wants, into, notes);
    assert.ok(!asked.includes('/_node/_local/_stats/couch_replicator'));
    assert.ok(!asked.some((p) => p.includes(encodeURIComponent(M93))));
    assert.deepEqual(Object.keys(into.memberStats ?? {}), [M91, M92]);
    const one = into.memberStats?.[M91];
    assert.ok(one && into.stats);
    assert.equal(into.stats.jobs.total, 2 * one.jobs.total);
    assert.equal(into.stats.values['jobs.adds'], 2 * (one.values['jobs.adds'] ?? 0));
    assert.deepEqual(notes, []);
  });

  test('_replicator ids only when rows are missing (total_rows 4, 2 rows)', async () => {
    const page = parseSchedulerDocsPage(clusterFixture('scheduler-docs-93-down'));
    const rows = REPLICATOR_IDS.map((id) => ({ id }));
    const { get, asked } = fakeGet({
      '/_replicator/_all_docs': () => ({ rows: [{ id: '_design/_replicator' }, ...rows] }),
    });
    assert.deepEqual(await replicatorIds(get, page.docs, page.total_rows, []), REPLICATOR_IDS);
    assert.equal(await replicatorIds(get, page.docs, page.docs.length, []), undefined);
    assert.equal(asked.length, 1);
  });
});
