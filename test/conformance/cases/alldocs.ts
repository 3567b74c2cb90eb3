// _all_docs variants (GET and POST keys).
import { asObject, assertJson, seqNum } from '../harness.ts';
import { FRUIT, fruitRow, REV, seedAllDocs, seedConflicts } from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

const REVS: Record<string, string> = {
  apple: REV.apple,
  banana: REV.banana,
  cherry: REV.cherry,
  elder: REV.elder,
  fig: REV.fig,
};
const LIVE = ['apple', 'banana', 'cherry', 'elder', 'fig'];
const LEN = Object.fromEntries(FRUIT) as Record<string, number>;
const row = (f: string) => fruitRow(f, REVS[f]!);
const docRow = (f: string) => ({ ...row(f), doc: { _id: f, _rev: REVS[f]!, fruit: f, len: LEN[f]! } });
const notFound = { key: 'nonexistent', error: 'not_found' };
const dateDeleted = { id: 'date', key: 'date', value: { rev: REV.date_2, deleted: true } };

export const allDocsArea: Area = {
  name: '_all_docs',
  cases: [
    {
      name: 'GET _all_docs: total_rows excludes deleted, rows {id,key,value:{rev}}',
      sample: 'all-docs-plain.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs' },
      expect: { status: 200, contentType: JSON_CT, body: { total_rows: 5, offset: 0, rows: LIVE.map(row) } },
    },
    {
      name: 'GET _all_docs?descending=true',
      sample: 'all-docs-descending.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?descending=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 0, rows: [...LIVE].reverse().map(row) },
      },
    },
    {
      name: 'GET _all_docs?include_docs=true',
      sample: 'all-docs-include-docs.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?include_docs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 0, rows: LIVE.map(docRow) },
      },
    },
    {
      name: 'GET _all_docs?key="cherry": offset of the key',
      sample: 'all-docs-key.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?key=%22cherry%22' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 2, rows: [row('cherry')] },
      },
    },
    {
      name: 'GET _all_docs?limit=2&skip=1',
      sample: 'all-docs-limit-skip.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?limit=2&skip=1' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 1, rows: [row('banana'), row('cherry')] },
      },
    },
    {
      name: 'GET _all_docs?startkey="b"&endkey="e"',
      sample: 'all-docs-startkey-endkey.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?startkey=%22b%22&endkey=%22e%22' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 1, rows: [row('banana'), row('cherry')] },
      },
    },
    {
      name: 'GET _all_docs?startkey="banana"&endkey="elder"&inclusive_end=false',
      sample: 'all-docs-startkey-endkey-inclusive-end-false.json',
      setup: seedAllDocs,
      request: {
        method: 'GET',
        path: '/{db}/_all_docs?startkey=%22banana%22&endkey=%22elder%22&inclusive_end=false',
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: 1, rows: [row('banana'), row('cherry')] },
      },
    },
    {
      name: 'GET _all_docs?update_seq=true&limit=1: update_seq before rows',
      sample: 'all-docs-update-seq-true.json',
      setup: seedAllDocs,
      request: { method: 'GET', path: '/{db}/_all_docs?update_seq=true&limit=1' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        keys: ['total_rows', 'offset', 'update_seq', 'rows'],
        check: (res) => {
          const { update_seq, ...rest } = asObject(res.json);
          seqNum(update_seq, 'update_seq');
          assertJson(rest, { total_rows: 5, offset: 0, rows: [row('apple')] });
        },
      },
    },
    {
      name: 'POST _all_docs {keys}: key order, missing -> error row, deleted -> value.deleted, offset null',
      sample: 'all-docs-post-keys-missing-and-deleted.json',
      setup: seedAllDocs,
      request: {
        method: 'POST',
        path: '/{db}/_all_docs',
        body: { keys: ['banana', 'nonexistent', 'date', 'apple'] },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { total_rows: 5, offset: null, rows: [row('banana'), notFound, dateDeleted, row('apple')] },
      },
    },
    {
      name: 'POST _all_docs?include_docs=true {keys}: deleted row has doc null',
      sample: 'all-docs-post-keys-include-docs.json',
      setup: seedAllDocs,
      request: {
        method: 'POST',
        path: '/{db}/_all_docs?include_docs=true',
        body: { keys: ['banana', 'nonexistent', 'date'] },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          total_rows: 5,
          offset: null,
          rows: [docRow('banana'), notFound, { ...dateDeleted, doc: null }],
        },
      },
    },
    {
      name: 'GET _all_docs?include_docs=true&conflicts=true: doc carries _conflicts',
      sample: 'all-docs-conflicted-doc-conflicts-include-docs.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/_all_docs?include_docs=true&conflicts=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          total_rows: 2,
          offset: 0,
          rows: [
            {
              id: 'c1',
              key: 'c1',
              value: { rev: REV.c1_c },
              doc: {
                _id: 'c1',
                _rev: REV.c1_c,
                title: 'edit from device C',
                count: 3,
                _conflicts: [REV.c1_b, REV.c1_a],
              },
            },
            {
              id: 'plain',
              key: 'plain',
              value: { rev: REV.plain },
              doc: { _id: 'plain', _rev: REV.plain, title: 'no conflicts' },
            },
          ],
        },
      },
    },
  ],
};
