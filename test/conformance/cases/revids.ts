// Rev-id vectors: the exact request body text CouchDB 3.5.0 was sent and the rev it answered
// (rev-id-vectors.json). Rev ids are md5 of the Erlang term of [Deleted, ParentPos, ParentRev, Body, Atts], so
// key order, number lexemes, unicode escapes, the parent and attachment digests all matter; `_id` does not.
import type { Area, Case, Ctx } from './types.ts';
import { JSON_CT } from './types.ts';

interface Vector {
  name: string;
  id: string;
  method: 'PUT' | 'DELETE';
  path: string;
  /** Request body exactly as sent (raw text). */
  body?: string;
  status: number;
  rev: string;
}

export const REV_VECTORS: Vector[] = [
  {
    name: 'empty',
    id: 'v-empty',
    method: 'PUT',
    path: '/{db}/v-empty',
    body: '{}',
    status: 201,
    rev: '1-967a00dff5e02add41819138abb3284d',
  },
  {
    name: 'one-int',
    id: 'v-one-int',
    method: 'PUT',
    path: '/{db}/v-one-int',
    body: '{"a":1}',
    status: 201,
    rev: '1-23202479633c2b380f79507a776743d5',
  },
  {
    name: 'order-ba',
    id: 'v-order-ba',
    method: 'PUT',
    path: '/{db}/v-order-ba',
    body: '{"b":1,"a":2}',
    status: 201,
    rev: '1-afc27c384a7b497e8b717857527a0dc7',
  },
  {
    name: 'order-ab',
    id: 'v-order-ab',
    method: 'PUT',
    path: '/{db}/v-order-ab',
    body: '{"a":2,"b":1}',
    status: 201,
    rev: '1-43bc36bb440b3548a3ff0c4beb772d8d',
  },
  {
    name: 'nested',
    id: 'v-nested',
    method: 'PUT',
    path: '/{db}/v-nested',
    body: '{"outer":{"inner":{"deep":[1,{"x":"y"}]},"sibling":"s"}}',
    status: 201,
    rev: '1-417864e04b23989ea16a607a7398a758',
  },
  {
    name: 'arrays',
    id: 'v-arrays',
    method: 'PUT',
    path: '/{db}/v-arrays',
    body: '{"list":[1,2,3],"empty":[],"mixed":[1,"two",null,true,false,{"k":"v"}]}',
    status: 201,
    rev: '1-73b0e5e5ef150511efe8303f8696b355',
  },
  {
    name: 'unicode-literal',
    id: 'v-unicode-literal',
    method: 'PUT',
    path: '/{db}/v-unicode-literal',
    body: '{"name":"café ☕ 日本"}',
    status: 201,
    rev: '1-89cdc22aed8be4522446aaf5959e33eb',
  },
  {
    name: 'unicode-escaped',
    id: 'v-unicode-escaped',
    method: 'PUT',
    path: '/{db}/v-unicode-escaped',
    body: '{"name":"caf\\u00e9 \\u2615 \\u65e5\\u672c"}',
    status: 201,
    rev: '1-89cdc22aed8be4522446aaf5959e33eb',
  },
  {
    name: 'small-ints',
    id: 'v-small-ints',
    method: 'PUT',
    path: '/{db}/v-small-ints',
    body: '{"n":0,"m":42,"k":-7}',
    status: 201,
    rev: '1-1c677213fd2f6eb3804601f8a883c73c',
  },
  {
    name: 'int-gt-2^31',
    id: 'v-int-gt-2^31',
    method: 'PUT',
    path: '/{db}/v-int-gt-2^31',
    body: '{"n":2147483648}',
    status: 201,
    rev: '1-a48eea2d467845a88971c3ffc6004320',
  },
  {
    name: 'int-gt-2^53',
    id: 'v-int-gt-2^53',
    method: 'PUT',
    path: '/{db}/v-int-gt-2^53',
    body: '{"n":9007199254740993}',
    status: 201,
    rev: '1-17bea6cc0e72f13dd561569655a62a19',
  },
  {
    name: 'negatives',
    id: 'v-negatives',
    method: 'PUT',
    path: '/{db}/v-negatives',
    body: '{"n":-1,"f":-2.5}',
    status: 201,
    rev: '1-b5bbc501e5dbf3d3a342a0ee76987ee9',
  },
  {
    name: 'float-1.5',
    id: 'v-float-1.5',
    method: 'PUT',
    path: '/{db}/v-float-1.5',
    body: '{"f":1.5}',
    status: 201,
    rev: '1-57ed63b98994027f71d1ac46834c5cbe',
  },
  {
    name: 'float-1e10',
    id: 'v-float-1e10',
    method: 'PUT',
    path: '/{db}/v-float-1e10',
    body: '{"f":1e10}',
    status: 201,
    rev: '1-f56e35dd11c5409890d87fb633626420',
  },
  {
    name: 'float-0.1',
    id: 'v-float-0.1',
    method: 'PUT',
    path: '/{db}/v-float-0.1',
    body: '{"f":0.1}',
    status: 201,
    rev: '1-2d369c1df864605746fc504c65cd1b6e',
  },
  {
    name: 'bools-null',
    id: 'v-bools-null',
    method: 'PUT',
    path: '/{db}/v-bools-null',
    body: '{"t":true,"f":false,"z":null}',
    status: 201,
    rev: '1-31cd0bcb201326fa9ec4008348a57e84',
  },
  {
    name: 'second-edit',
    id: 'v-one-int',
    method: 'PUT',
    path: '/{db}/v-one-int',
    body: '{"_rev":"1-23202479633c2b380f79507a776743d5","a":2}',
    status: 201,
    rev: '2-71173597778497e0a6aa176963f222db',
  },
  {
    name: 'delete-via-put',
    id: 'v-one-int',
    method: 'PUT',
    path: '/{db}/v-one-int',
    body: '{"_rev":"2-71173597778497e0a6aa176963f222db","_deleted":true}',
    status: 200,
    rev: '3-e1cb868b6bf2272171643d381ecea5e2',
  },
  {
    name: 'only-id',
    id: 'v-only-id',
    method: 'PUT',
    path: '/{db}/v-only-id',
    body: '{"_id":"v-only-id"}',
    status: 201,
    rev: '1-967a00dff5e02add41819138abb3284d',
  },
  {
    name: 'same-body-other-id',
    id: 'v-same-body-other-id',
    method: 'PUT',
    path: '/{db}/v-same-body-other-id',
    body: '{"a":1}',
    status: 201,
    rev: '1-23202479633c2b380f79507a776743d5',
  },
  {
    name: 'string-escapes',
    id: 'v-string-escapes',
    method: 'PUT',
    path: '/{db}/v-string-escapes',
    body: '{"s":"line1\\nline2\\t\\"quoted\\" \\\\ back\\/slash"}',
    status: 201,
    rev: '1-1ad1715e08a3d958f58c398865a0add2',
  },
  {
    name: 'delete-via-delete',
    id: 'v-same-body-other-id',
    method: 'DELETE',
    path: '/{db}/v-same-body-other-id?rev=1-23202479633c2b380f79507a776743d5',
    status: 200,
    rev: '2-b4e3122af5f2ab3ae9bbd74527a6aa04',
  },
  {
    name: 'odd-keys',
    id: 'v-odd-keys',
    method: 'PUT',
    path: '/{db}/v-odd-keys',
    body: '{"":"empty key","a b":"space"}',
    status: 201,
    rev: '1-20dfff81033ff7f79b4a1d8bb59b5d62',
  },
  {
    name: 'inline-attachment',
    id: 'v-inline-attachment',
    method: 'PUT',
    path: '/{db}/v-inline-attachment',
    body: '{"_attachments":{"a.txt":{"content_type":"text/plain","data":"aGVsbG8="}}}',
    status: 201,
    rev: '1-2c13af7bc89e7804203dd6bc778549ac',
  },
];

/** Vectors that edit an existing doc: the states they start from (bodies of earlier vectors). */
const PARENTS: Record<string, string[]> = {
  'second-edit': ['{"a":1}'],
  'delete-via-put': ['{"a":1}', '{"_rev":"1-23202479633c2b380f79507a776743d5","a":2}'],
  'delete-via-delete': ['{"a":1}'],
};

async function seedParents(ctx: Ctx, v: Vector): Promise<void> {
  for (const body of PARENTS[v.name] ?? []) {
    await ctx.ok('PUT', `/{db}/${v.id}`, { body, headers: { 'Content-Type': JSON_CT } });
  }
}

export const revIdArea: Area = {
  name: 'rev ids',
  cases: REV_VECTORS.map(
    (v): Case => ({
      name: `rev id vector "${v.name}"`,
      sample: 'rev-id-vectors.json',
      setup: (ctx) => seedParents(ctx, v),
      request: {
        method: v.method,
        path: v.path,
        ...(v.body === undefined ? {} : { body: v.body, headers: { 'Content-Type': JSON_CT } }),
      },
      expect: { status: v.status, contentType: JSON_CT, body: { ok: true, id: v.id, rev: v.rev } },
    }),
  ),
};
