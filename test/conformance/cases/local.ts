// _local documents and _local_docs.
import { seedLocal } from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

const ETAG = /^"[^"]+"$/;
const location = (db: string) => new RegExp(`^http://[^/]+/${db}/_local%2Fcfg1$`);

export const localArea: Area = {
  name: '_local docs',
  cases: [
    {
      name: 'PUT _local doc -> 201 rev "0-1"',
      sample: 'local-doc-put-201.json',
      request: { method: 'PUT', path: '/{db}/_local/cfg1', body: { setting: 'on', n: 1 } },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { etag: ETAG, location: location(ctx.db) },
        body: { ok: true, id: '_local/cfg1', rev: '0-1' },
      }),
    },
    {
      name: 'PUT _local doc with _rev 0-1 -> rev "0-2"',
      sample: 'local-doc-put-update.json',
      setup: (ctx) => seedLocal(ctx, 1),
      request: { method: 'PUT', path: '/{db}/_local/cfg1', body: { _rev: '0-1', setting: 'off', n: 2 } },
      expect: (ctx) => ({
        status: 201,
        contentType: JSON_CT,
        headers: { etag: ETAG, location: location(ctx.db) },
        body: { ok: true, id: '_local/cfg1', rev: '0-2' },
      }),
    },
    {
      name: 'PUT _local doc with an older _rev: accepted, rev stays "0-2" (no conflict check)',
      sample: 'local-doc-put-with-old-rev-accepted-201.json',
      setup: (ctx) => seedLocal(ctx, 2),
      request: { method: 'PUT', path: '/{db}/_local/cfg1', body: { _rev: '0-1', setting: 'stale' } },
      expect: { status: 201, contentType: JSON_CT, body: { ok: true, id: '_local/cfg1', rev: '0-2' } },
    },
    {
      name: 'GET _local doc: _id, _rev "0-1", body',
      sample: 'local-doc-get.json',
      setup: (ctx) => seedLocal(ctx, 1),
      request: { method: 'GET', path: '/{db}/_local/cfg1' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { etag: ETAG },
        body: { _id: '_local/cfg1', _rev: '0-1', setting: 'on', n: 1 },
      },
    },
    {
      name: 'GET _local doc?revs=true: _revisions {start:0, ids:["1"]}',
      sample: 'local-doc-get-revs-true.json',
      setup: (ctx) => seedLocal(ctx, 3),
      request: { method: 'GET', path: '/{db}/_local/cfg2?revs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { _id: '_local/cfg2', _rev: '0-1', other: true, _revisions: { start: 0, ids: ['1'] } },
      },
    },
    {
      name: 'GET missing _local doc -> 404 missing',
      request: { method: 'GET', path: '/{db}/_local/0123456789abcdef0123456789abcdef' },
      expect: { status: 404, contentType: JSON_CT, body: { error: 'not_found', reason: 'missing' } },
    },
    {
      name: 'DELETE _local doc?rev=0-2 -> rev "0-0"',
      sample: 'local-doc-delete.json',
      setup: (ctx) => seedLocal(ctx, 2),
      request: { method: 'DELETE', path: '/{db}/_local/cfg1?rev=0-2' },
      expect: { status: 200, contentType: JSON_CT, body: { ok: true, id: '_local/cfg1', rev: '0-0' } },
    },
    {
      name: 'GET deleted _local doc -> 404 missing',
      sample: 'local-doc-get-after-delete-404.json',
      setup: async (ctx) => {
        await seedLocal(ctx, 2);
        await ctx.ok('DELETE', '/{db}/_local/cfg1?rev=0-2');
      },
      request: { method: 'GET', path: '/{db}/_local/cfg1' },
      expect: { status: 404, contentType: JSON_CT, body: { error: 'not_found', reason: 'missing' } },
    },
    {
      name: 'GET _local_docs: total_rows null, offset null',
      sample: 'local-docs-list.json',
      setup: (ctx) => seedLocal(ctx, 3),
      request: { method: 'GET', path: '/{db}/_local_docs' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          total_rows: null,
          offset: null,
          rows: [
            { id: '_local/cfg1', key: '_local/cfg1', value: { rev: '0-2' } },
            { id: '_local/cfg2', key: '_local/cfg2', value: { rev: '0-1' } },
          ],
        },
      },
    },
    {
      name: 'GET _local_docs?include_docs=true',
      sample: 'local-docs-list-include-docs.json',
      setup: (ctx) => seedLocal(ctx, 3),
      request: { method: 'GET', path: '/{db}/_local_docs?include_docs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          total_rows: null,
          offset: null,
          rows: [
            {
              id: '_local/cfg1',
              key: '_local/cfg1',
              value: { rev: '0-2' },
              doc: { _id: '_local/cfg1', _rev: '0-2', setting: 'stale' },
            },
            {
              id: '_local/cfg2',
              key: '_local/cfg2',
              value: { rev: '0-1' },
              doc: { _id: '_local/cfg2', _rev: '0-1', other: true },
            },
          ],
        },
      },
    },
  ],
};
