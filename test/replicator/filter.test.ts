// Filtered replication with design-document JavaScript on the source: the node's replicator with
// `filter: "app/by_type"` + `query_params` (one-shot and continuous) and `filter: "_view"`, a filter that
// does not exist on the source (the job crashes visibly, never `completed` with nothing copied), and
// PouchDB 9's replicator (http adapter against the node, memory adapter locally) using the same filters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  describeError,
  memoryDb,
  NODE_ADMIN,
  type PouchDatabase,
  PouchDB,
  type ReplicationOptions,
  remoteDb,
  startTraceProxy,
  waitFor,
  within,
} from '../interop/peers.ts';
import { replicateOnce } from '../interop/scenarios.ts';
import { endpoint, http, type Json, Nodes, ok, poll, schedDoc, type TestNode, waitState } from './helpers.ts';

const DDOC = {
  _id: '_design/app',
  filters: {
    by_type: 'function(doc, req) { return doc.type === req.query.type; }',
    by_type_or_design:
      "function(doc, req) { return doc._id.indexOf('_design/') === 0 || doc.type === req.query.type; }",
  },
  views: {
    hot: { map: 'function(doc) { if (doc.temp >= 30) { emit(doc._id, doc.temp); } }' },
  },
};

/** The seed docs: which pass `by_type` (type=reading) and which the `hot` map emits for. */
const SEED = [
  { _id: 'reading-1', type: 'reading', temp: 35 },
  { _id: 'reading-2', type: 'reading', temp: 10 },
  { _id: 'reading-3', type: 'reading', temp: 31 },
  { _id: 'setting-1', type: 'setting', temp: 40 },
  { _id: 'setting-2', type: 'setting', temp: 5 },
  { _id: 'plain-1', note: 'no type, no temp' },
];
const READINGS = ['reading-1', 'reading-2', 'reading-3'];
const HOT = ['reading-1', 'reading-3', 'setting-1'];
const BY_TYPE = { filter: 'app/by_type', query_params: { type: 'reading' } };

/** A source db holding the design doc and the seed docs. */
async function seed(node: TestNode, db: string): Promise<void> {
  await ok('PUT', `${node.url}/${db}`);
  const r = await ok<Array<{ ok?: boolean }>>('POST', `${node.url}/${db}/_bulk_docs`, {
    docs: [DDOC, ...SEED],
  });
  assert.ok(
    r.every((x) => x.ok),
    `seed ${db}: ${JSON.stringify(r)}`,
  );
}

/** Sorted ids of a db (design docs included), or undefined when the db does not exist. */
async function idsOf(node: TestNode, db: string): Promise<string[] | undefined> {
  const r = await http('GET', `${node.url}/${db}/_all_docs`);
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.rows as Array<{ id: string }>).map((x) => x.id).sort();
}

/** id -> winning rev of the given docs on a db. */
async function revsOf(node: TestNode, db: string, ids: string[]): Promise<Record<string, string>> {
  const r = await ok('POST', `${node.url}/${db}/_all_docs`, { keys: ids });
  return Object.fromEntries(
    (r.rows as Array<{ id: string; value?: { rev: string } }>).map((x) => [x.id, x.value?.rev ?? 'missing']),
  );
}

const sorted = (ids: string[]) => [...ids].sort();

describe('filtered replication with design-doc filters on the source', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
  });
  after(() => nodes.closeAll());

  /** A one-shot `_replicator` doc on the target, `db` -> `db-copy`, run to `completed`. */
  async function oneShot(docId: string, db: string, filter: Record<string, unknown>): Promise<Json> {
    await ok('PUT', `${tgt.url}/_replicator/${docId}`, {
      source: endpoint(src, db),
      target: endpoint(tgt, `${db}-copy`),
      create_target: true,
      ...filter,
    });
    return waitState(tgt, docId, 'completed', undefined, 20_000);
  }

  it('the filters themselves, read directly from the source _changes (baseline for the rest)', async () => {
    await seed(src, 'baseline');
    const byType = await ok('GET', `${src.url}/baseline/_changes?filter=app/by_type&type=reading`);
    assert.deepEqual(sorted(byType.results.map((x: Json) => x.id)), READINGS);
    const view = await ok('GET', `${src.url}/baseline/_changes?filter=_view&view=app/hot`);
    assert.deepEqual(sorted(view.results.map((x: Json) => x.id)), HOT);
  });

  it('one-shot, filter app/by_type + query_params {type: reading}: only the readings arrive, not the design doc', async () => {
    await seed(src, 'one-shot');
    // the source behind a recording proxy: what the replicator asks the source for
    const proxy = await startTraceProxy(src.url);
    try {
      await ok('PUT', `${tgt.url}/_replicator/one-shot-by-type`, {
        source: endpoint(proxy, 'one-shot'),
        target: endpoint(tgt, 'one-shot-copy'),
        create_target: true,
        ...BY_TYPE,
      });
      const d = await waitState(tgt, 'one-shot-by-type', 'completed', undefined, 20_000);
      assert.equal(d.info.docs_written, READINGS.length);
      assert.equal(d.info.doc_write_failures, 0);
      assert.deepEqual(await idsOf(tgt, 'one-shot-copy'), READINGS);
      assert.equal((await http('GET', `${tgt.url}/one-shot-copy/_design/app`)).status, 404);
      // the copies are the source's revisions
      assert.deepEqual(await revsOf(tgt, 'one-shot-copy', READINGS), await revsOf(src, 'one-shot', READINGS));
      const doc = await ok('GET', `${tgt.url}/_replicator/one-shot-by-type`);
      assert.equal(doc._replication_state, 'completed');
      // every _changes read was a GET carrying the filter and its query_params
      const changes = proxy.requests.filter((r) => new URL(r.url, proxy.url).pathname.endsWith('/_changes'));
      assert.ok(changes.length > 0, 'the replicator read _changes through the proxy');
      for (const r of changes) {
        const q = new URL(r.url, proxy.url).searchParams;
        assert.equal(r.method, 'GET', r.url);
        assert.equal(q.get('filter'), 'app/by_type', r.url);
        assert.equal(q.get('type'), 'reading', r.url);
        assert.equal(r.status, 200, r.url);
      }
    } finally {
      await proxy.close();
    }
  });

  it('one-shot, a filter that passes design docs: the design doc travels with the readings', async () => {
    await seed(src, 'with-ddoc');
    const d = await oneShot('one-shot-with-ddoc', 'with-ddoc', {
      filter: 'app/by_type_or_design',
      query_params: { type: 'reading' },
    });
    assert.equal(d.info.docs_written, READINGS.length + 1);
    assert.deepEqual(await idsOf(tgt, 'with-ddoc-copy'), sorted(['_design/app', ...READINGS]));
    const copied = await ok('GET', `${tgt.url}/with-ddoc-copy/_design/app`);
    assert.deepEqual(copied.filters, DDOC.filters);
  });

  it('continuous, filter app/by_type: later matching writes arrive, non-matching ones never do', async () => {
    await seed(src, 'cont');
    await ok('PUT', `${tgt.url}/_replicator/cont-by-type`, {
      source: endpoint(src, 'cont'),
      target: endpoint(tgt, 'cont-copy'),
      create_target: true,
      continuous: true,
      ...BY_TYPE,
    });
    await waitState(tgt, 'cont-by-type', 'running');
    await poll('the seeded readings on the target', async () => {
      const ids = await idsOf(tgt, 'cont-copy');
      return ids && ids.length >= READINGS.length ? ids : undefined;
    });
    assert.deepEqual(await idsOf(tgt, 'cont-copy'), READINGS);
    const oldReading2 = await ok('GET', `${tgt.url}/cont-copy/reading-2`);

    // after the start: new docs of both kinds, setting-2 becomes a reading, reading-2 stops being one
    const s2 = await ok('GET', `${src.url}/cont/setting-2`);
    const r2 = await ok('GET', `${src.url}/cont/reading-2`);
    const w = await ok<Array<{ ok?: boolean }>>('POST', `${src.url}/cont/_bulk_docs`, {
      docs: [
        { _id: 'late-setting', type: 'setting', temp: 50 },
        { _id: 'late-plain' },
        { _id: 'late-reading', type: 'reading', temp: 20 },
        { ...s2, type: 'reading' },
        { ...r2, type: 'setting' },
      ],
    });
    assert.ok(
      w.every((x) => x.ok),
      JSON.stringify(w),
    );
    await ok('PUT', `${src.url}/cont/late-setting-2`, { type: 'setting' });
    // written last: once it is on the target, the replicator has read (and filtered) every earlier change
    await ok('PUT', `${src.url}/cont/late-sentinel`, { type: 'reading' });
    const want = sorted([...READINGS, 'late-reading', 'setting-2', 'late-sentinel']);
    await poll(
      'the later readings (and the sentinel) on the target',
      async () => {
        const ids = await idsOf(tgt, 'cont-copy');
        return (
          want.every((id) => ids?.includes(id)) &&
          (await ok('GET', `${tgt.url}/cont-copy/setting-2`)).type === 'reading'
        );
      },
      { timeoutMs: 20_000 },
    );
    assert.deepEqual(await idsOf(tgt, 'cont-copy'), want);
    for (const id of ['late-setting', 'late-plain', 'late-setting-2', '_design/app'])
      assert.equal((await http('GET', `${tgt.url}/cont-copy/${id}`)).status, 404, `${id} must not arrive`);
    // setting-2's matching revision arrived; reading-2's non-matching update did not (the old one stays)
    const s2Copy = await ok('GET', `${tgt.url}/cont-copy/setting-2`);
    assert.equal(s2Copy.type, 'reading');
    assert.deepEqual(await revsOf(tgt, 'cont-copy', ['setting-2']), await revsOf(src, 'cont', ['setting-2']));
    const r2Copy = await ok('GET', `${tgt.url}/cont-copy/reading-2`);
    assert.equal(r2Copy._rev, oldReading2._rev);
    assert.equal(r2Copy.type, 'reading');

    const d = await waitState(tgt, 'cont-by-type', 'running');
    assert.equal(d.error_count, 0);
    await ok(
      'DELETE',
      `${tgt.url}/_replicator/cont-by-type?rev=${(await ok('GET', `${tgt.url}/_replicator/cont-by-type`))._rev}`,
    );
  });

  it('one-shot, filter _view with query_params {view: app/hot}: only docs the map emits for', async () => {
    await seed(src, 'by-view');
    const d = await oneShot('one-shot-view', 'by-view', {
      filter: '_view',
      query_params: { view: 'app/hot' },
    });
    assert.equal(d.info.docs_written, HOT.length);
    assert.deepEqual(await idsOf(tgt, 'by-view-copy'), HOT);
  });

  for (const [name, filter] of [
    ['a filter missing from an existing design doc', 'app/nope'],
    ['a design doc that does not exist', 'ghost/nope'],
  ] as const) {
    it(`${name} (${filter}): the doc waits in state error naming the filter, copies nothing, and starts once the filter exists`, async () => {
      const [ddoc, fn] = filter.split('/') as [string, string];
      const db = `missing-${ddoc}`;
      const docId = `missing-filter-${ddoc}`;
      await seed(src, db);
      await ok('PUT', `${tgt.url}/_replicator/${docId}`, {
        source: endpoint(src, db),
        target: endpoint(tgt, `${db}-copy`),
        create_target: true,
        filter,
        query_params: { type: 'reading' },
      });
      // couch_replicator: the filter's code is fetched from the source to compute the replication
      // id; while that fails the doc sits in state `error` (REFERENCE.md A1)
      const d = await poll(`${docId} in state error`, async () => {
        const s = await schedDoc(tgt, docId);
        if (s?.state === 'completed') assert.fail(`a missing filter must not complete: ${JSON.stringify(s)}`);
        return s?.state === 'error' ? s : undefined;
      });
      assert.match(String(d.info.error), /^filter_fetch_error: /, JSON.stringify(d));
      assert.ok(String(d.info.error).includes(filter), `reason names ${filter}: ${d.info.error}`);
      assert.equal(await idsOf(tgt, `${db}-copy`), undefined, 'nothing copied, target not created');
      // the filter appears on the source: the doc's retry finds it and the replication runs
      const cur = await http('GET', `${src.url}/${db}/_design/${ddoc}`);
      await ok('PUT', `${src.url}/${db}/_design/${ddoc}`, {
        ...(cur.status === 200 ? cur.body : {}),
        filters: { ...(cur.status === 200 ? cur.body.filters : {}), [fn]: DDOC.filters.by_type },
      });
      await waitState(tgt, docId, 'completed', undefined, 20_000);
      assert.deepEqual(await idsOf(tgt, `${db}-copy`), READINGS);
    });
  }

  it('POST /_replicate with a design-doc filter copies what passes; a missing filter -> 404 naming it', async () => {
    await seed(src, 'transient');
    const body = {
      source: endpoint(src, 'transient'),
      target: endpoint(tgt, 'transient-copy'),
      create_target: true,
    };
    const r = await http('POST', `${tgt.url}/_replicate`, { ...body, ...BY_TYPE });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(await idsOf(tgt, 'transient-copy'), READINGS);
    const missing = await http('POST', `${tgt.url}/_replicate`, { ...body, filter: 'app/nope' });
    assert.equal(missing.status, 404);
    assert.match(missing.body.reason, /app\/nope/);
  });

  it("the filter's code is part of the replication id: changed code starts a new checkpoint lineage and re-scans", async () => {
    await seed(src, 'code-change');
    const localIds = async () =>
      ((await ok('GET', `${tgt.url}/code-change-copy/_local_docs`)).rows as Array<{ id: string }>).map(
        (r) => r.id,
      );
    await oneShot('code-1', 'code-change', BY_TYPE);
    assert.deepEqual(await idsOf(tgt, 'code-change-copy'), READINGS);
    const [first] = await localIds();
    // the same filter name, new code: settings pass too
    const ddoc = await ok('GET', `${src.url}/code-change/_design/app`);
    await ok('PUT', `${src.url}/code-change/_design/app`, {
      ...ddoc,
      filters: {
        ...ddoc.filters,
        by_type: 'function(doc, req) { return doc.type === req.query.type || doc.type === "setting"; }',
      },
    });
    await oneShot('code-2', 'code-change', BY_TYPE);
    // a new id: no checkpoint to resume from, so the settings written before the first run arrive
    const ids = await localIds();
    assert.equal(ids.length, 2, JSON.stringify(ids));
    assert.ok(ids.includes(first as string));
    assert.deepEqual(await idsOf(tgt, 'code-change-copy'), [...READINGS, 'setting-1', 'setting-2'].sort());
  });
});

describe("PouchDB 9's replicator from the node with design-doc filters", () => {
  const nodes = new Nodes();
  let node: TestNode;
  const locals: PouchDatabase[] = [];

  before(async () => {
    node = await nodes.start();
  });
  after(async () => {
    await Promise.allSettled(locals.map((db) => db.destroy()));
    await nodes.closeAll();
  });

  const local = (label: string) => {
    const db = memoryDb(label);
    locals.push(db);
    return db;
  };
  const localIds = async (db: PouchDatabase) => (await db.allDocs()).rows.map((r) => r.id).sort();

  it("one-shot {filter: 'app/by_type', query_params: {type: 'reading'}}: only the readings", async () => {
    await seed(node, 'pouch-src');
    const target = local('by-type');
    const opts: ReplicationOptions & { filter: string; query_params: Record<string, string> } = {
      ...BY_TYPE,
    };
    const res = await replicateOnce(remoteDb(node.url, 'pouch-src', NODE_ADMIN), target, 'by_type', opts);
    assert.equal(res.docs_written, READINGS.length);
    assert.deepEqual(await localIds(target), READINGS);
    const revs = await revsOf(node, 'pouch-src', READINGS);
    for (const id of READINGS) assert.equal((await target.get(id))._rev, revs[id], id);
  });

  it("one-shot {filter: '_view', view: 'app/hot'}: only the docs the map emits for", async () => {
    await seed(node, 'pouch-view');
    const target = local('by-view');
    const opts: ReplicationOptions & { filter: string; view: string } = { filter: '_view', view: 'app/hot' };
    const res = await replicateOnce(remoteDb(node.url, 'pouch-view', NODE_ADMIN), target, '_view', opts);
    assert.equal(res.docs_written, HOT.length);
    assert.deepEqual(await localIds(target), HOT);
  });

  it('live with app/by_type: later readings arrive, other docs do not', async () => {
    await seed(node, 'pouch-live');
    const target = local('live');
    const rep = PouchDB.replicate(remoteDb(node.url, 'pouch-live', NODE_ADMIN), target, {
      live: true,
      retry: false,
      ...BY_TYPE,
    } as ReplicationOptions);
    const errors: unknown[] = [];
    rep.on('error', (e) => errors.push(e));
    const done = Promise.resolve(rep).then(
      (r) => r.status,
      (e: unknown) => `error: ${describeError(e)}`,
    );
    try {
      await waitFor('seeded readings in the local db', async () => (await localIds(target)).length >= 3);
      await ok('POST', `${node.url}/pouch-live/_bulk_docs`, {
        docs: [
          { _id: 'late-setting', type: 'setting' },
          { _id: 'late-plain' },
          { _id: 'late-reading', type: 'reading' },
        ],
      });
      await ok('PUT', `${node.url}/pouch-live/late-sentinel`, { type: 'reading' });
      // the sentinel is written last: once it is here, every earlier change went through the filter
      const want = sorted([...READINGS, 'late-reading', 'late-sentinel']);
      await waitFor('late-reading and late-sentinel in the local db', async () => {
        const ids = await localIds(target);
        return want.every((id) => ids.includes(id));
      });
      assert.deepEqual(await localIds(target), want);
      assert.deepEqual(errors, []);
    } finally {
      rep.cancel();
    }
    assert.equal(await within('live replication to stop', 10_000, done), 'cancelled');
  });
});
