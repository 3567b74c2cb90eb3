import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readAllSchedulerDocs } from './paging.ts';
import { fixture } from './test-support.ts';

const template = (fixture('scheduler-docs-all') as { docs: Array<Record<string, unknown>> })
  .docs[0] as Record<string, unknown>;
const docs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ...template, doc_id: `d${String(i).padStart(4, '0')}` }));

/** A server holding `rows`, answering like CouchDB: total_rows = all rows, a page = slice(skip, skip+limit). */
function server(rows: unknown[]) {
  const calls: Array<[number, number]> = [];
  const fetchPage = async (skip: number, limit: number) => {
    calls.push([skip, limit]);
    return { total_rows: rows.length, offset: skip, docs: rows.slice(skip, skip + limit) };
  };
  return { fetchPage, calls };
}

test('reads past CouchDB default page of 100', async () => {
  const s = server(docs(250));
  const all = await readAllSchedulerDocs(s.fetchPage, { pageSize: 100 });
  assert.equal(all.docs.length, 250);
  assert.equal(all.totalRows, 250);
  assert.deepEqual(s.calls, [
    [0, 100],
    [100, 100],
    [200, 100],
  ]);
  assert.equal(all.requests, 3);
});

test('one request when everything fits (default page size 500)', async () => {
  const s = server(docs(120));
  const all = await readAllSchedulerDocs(s.fetchPage);
  assert.equal(all.docs.length, 120);
  assert.equal(all.requests, 1);
});

test('empty scheduler: one request, no docs', async () => {
  const all = await readAllSchedulerDocs(server([]).fetchPage);
  assert.deepEqual(all, { docs: [], totalRows: 0, requests: 1 });
});

test('a row repeated by a shifting list is kept once', async () => {
  const rows = docs(6);
  const pages = [
    { total_rows: 6, docs: rows.slice(0, 3) },
    { total_rows: 6, docs: rows.slice(2, 5) }, // a doc was inserted before: row 2 comes again
  ];
  let i = 0;
  const all = await readAllSchedulerDocs(async () => pages[i++], { pageSize: 3 });
  assert.equal(all.docs.length, 5); // the sixth is read by the next poll
  assert.equal(all.requests, 2);
});

test('an empty page ends the loop even when total_rows says more (rows deleted meanwhile)', async () => {
  const pages = [
    { total_rows: 9, docs: docs(3) },
    { total_rows: 9, docs: [] },
  ];
  let i = 0;
  const all = await readAllSchedulerDocs(async () => pages[i++], { pageSize: 3 });
  assert.equal(all.docs.length, 3);
  assert.equal(all.requests, 2);
});

test('maxPages bounds a server whose total_rows never converges', async () => {
  const all = await readAllSchedulerDocs(async (skip) => ({ total_rows: skip + 10, docs: docs(1) }), {
    pageSize: 1,
    maxPages: 4,
  });
  assert.equal(all.requests, 4);
});

test('a malformed page is refused', async () => {
  await assert.rejects(
    readAllSchedulerDocs(async () => ({ rows: [] })),
    /_scheduler\/docs/,
  );
});

test('property: any row count and page size reads every row exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 150 }), async (n, size) => {
      const s = server(docs(n));
      const all = await readAllSchedulerDocs(s.fetchPage, { pageSize: size });
      assert.equal(all.docs.length, n);
      assert.equal(all.requests, Math.max(1, Math.ceil(n / size)));
    }),
    { numRuns: 60 },
  );
});

test('a cluster with a member down (cluster-samples/46: total_rows 4, 2 rows): one request, not a second empty page', async () => {
  let asked = 0;
  const all = await readAllSchedulerDocs(async () => {
    asked++;
    return { total_rows: 4, offset: 0, docs: docs(2) };
  });
  assert.equal(all.docs.length, 2);
  assert.equal(all.totalRows, 4);
  assert.equal(asked, 1);
});
