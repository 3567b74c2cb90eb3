// `POST /_dbs_info` as CouchDB 3 answers it (chttpd_misc:handle_dbs_info_req; its eunit suite
// chttpd_dbs_info_test): chttpd:validate_ctype first (415), chttpd:json_body_obj (an object, else
// 400), couch_mrview_util:get_view_keys (`keys` an array), "`keys` member must exist.", then at most
// `[chttpd] max_db_number_for_dbs_info_req` keys (default 100, read live from the config) -> 400
// too_many_keys; rows come back in the request's order, a key repeated is answered twice. Any other
// method than GET, HEAD or POST -> 405 (chttpd:send_method_not_allowed). The basic answers (key
// order, not_found rows, admin only, GET paging) are in fidelity.ts.
import assert from 'node:assert/strict';
import { asObject, type Res, withServerLock } from '../harness.ts';
import { type Area, type Ctx, type Expect, JSON_CT } from './types.ts';

const LIMIT_PATH = '/_node/_local/_config/chttpd/max_db_number_for_dbs_info_req';
const JSON_HEADER = { 'Content-Type': JSON_CT };
/** CouchDB's JSON error answer. */
const answer = (status: number, error: string, reason: string): Expect => ({
  status,
  contentType: JSON_CT,
  body: { error, reason },
});
const missing = (n: number) => Array.from({ length: n }, (_, i) => `cm_conf_missing_${i}`);

/** Runs `fn` with `[chttpd] max_db_number_for_dbs_info_req` = `limit`, then puts the old value back. */
async function withLimit(ctx: Ctx, limit: number, fn: () => Promise<void>): Promise<void> {
  // `_config` values are JSON strings
  const put = (value: string) =>
    ctx.ok('PUT', LIMIT_PATH, { body: JSON.stringify(value), headers: JSON_HEADER });
  await withServerLock(async () => {
    const before = await ctx.http('GET', LIMIT_PATH);
    await put(String(limit));
    try {
      await fn();
    } finally {
      if (before.status === 200) await put(String(before.json));
      else await ctx.ok('DELETE', LIMIT_PATH);
    }
  });
}

function rows(res: Res): Array<Record<string, unknown>> {
  assert.ok(Array.isArray(res.json), 'an array of rows');
  return res.json as Array<Record<string, unknown>>;
}

export const dbsInfoArea: Area = {
  name: 'POST /_dbs_info (chttpd_misc)',
  cases: [
    {
      name: 'rows in request order, a repeated key answered twice; info as GET /{db} gives it',
      setup: async (ctx) => void (await ctx.ok('PUT', '/{db}/one', { body: { a: 1 } })),
      request: (ctx) => ({
        method: 'POST',
        path: '/_dbs_info',
        body: { keys: [ctx.db, 'cm_conf_no_such_db', ctx.db] },
      }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          const [a, b, c] = rows(res);
          assert.equal(rows(res).length, 3);
          assert.deepEqual(b, { key: 'cm_conf_no_such_db', error: 'not_found' });
          assert.deepEqual(a, c);
          assert.deepEqual(Object.keys(a ?? {}), ['key', 'info']);
          const info = asObject(a?.info, 'info');
          const direct = asObject((await ctx.http('GET', '/{db}')).json);
          for (const k of ['db_name', 'doc_count', 'doc_del_count', 'update_seq', 'instance_start_time'])
            assert.deepEqual(info[k], direct[k], k);
          assert.equal(info.doc_count, 1);
        },
      },
    },
    {
      name: '100 keys (the default max_db_number_for_dbs_info_req) -> 200, one row each',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: { keys: missing(100) } },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          assert.equal(rows(res).length, 100);
          assert.deepEqual(rows(res)[99], { key: 'cm_conf_missing_99', error: 'not_found' });
        },
      },
    },
    {
      name: '101 keys -> 400 too_many_keys',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: { keys: missing(101) } },
      expect: answer(400, 'bad_request', 'too_many_keys'),
    },
    {
      name: 'no keys member -> 400 "`keys` member must exist." (should_return_error_for_missing_keys)',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: { missingkeys: ['a', 'b'] } },
      expect: answer(400, 'bad_request', '`keys` member must exist.'),
    },
    {
      name: 'keys not an array -> 400 "`keys` member must be an array." (couch_mrview_util:get_view_keys)',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: { keys: 'a' } },
      expect: answer(400, 'bad_request', '`keys` member must be an array.'),
    },
    {
      name: 'a body that is not a JSON object -> 400 (chttpd:json_body_obj)',
      db: 'none',
      request: { method: 'POST', path: '/_dbs_info', body: ['a'] },
      expect: answer(400, 'bad_request', 'Request body must be a JSON object'),
    },
    {
      name: 'Content-Type text/plain -> 415 bad_content_type (chttpd:validate_ctype)',
      db: 'none',
      request: {
        method: 'POST',
        path: '/_dbs_info',
        body: '{"keys":[]}',
        headers: { 'Content-Type': 'text/plain' },
      },
      expect: answer(415, 'bad_content_type', 'Content-Type must be application/json'),
    },
    {
      name: 'PUT /_dbs_info -> 405, Allow: GET,HEAD,POST',
      db: 'none',
      request: { method: 'PUT', path: '/_dbs_info', body: { keys: [] } },
      expect: {
        ...answer(405, 'method_not_allowed', 'Only GET,HEAD,POST allowed'),
        headers: { allow: 'GET,HEAD,POST' },
      },
    },
  ],
};

/** Changes the server's limit, so it runs in an area of its own (cases of an area run concurrently). */
export const dbsInfoLimitArea: Area = {
  name: 'POST /_dbs_info: [chttpd] max_db_number_for_dbs_info_req',
  cases: [
    {
      name: 'max_db_number_for_dbs_info_req = 1: two keys -> 400 too_many_keys (should_return_error_for_exceeded_keys)',
      request: (ctx) => ({ method: 'POST', path: '/_dbs_info', body: { keys: [ctx.db, ctx.db] } }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          assert.equal(rows(res).length, 2, 'the default limit allows two');
          await withLimit(ctx, 1, async () => {
            const refused = await ctx.http('POST', '/_dbs_info', { body: { keys: [ctx.db, ctx.db] } });
            assert.equal(refused.status, 400);
            assert.deepEqual(refused.json, { error: 'bad_request', reason: 'too_many_keys' });
            const one = await ctx.http('POST', '/_dbs_info', { body: { keys: [ctx.db] } });
            assert.equal(one.status, 200);
          });
        },
      },
    },
  ],
};
