// Server-level endpoints: /, /_up, /_all_dbs, /_uuids, /_session, authentication errors.
import assert from 'node:assert/strict';
import { asObject, basic, cookiePair, login } from '../harness.ts';
import { type Area, JSON_CT } from './types.ts';

const COOKIE = /^AuthSession=[^;]+; Version=1; Expires=[^;]+; Max-Age=\d+; Path=\/; HttpOnly$/;
const EXPIRED_COOKIE = /^AuthSession=; Version=1; Expires=[^;]+; Max-Age=\d+; Path=\/; HttpOnly$/;
const HANDLERS = ['cookie', 'default'];

export const serverArea: Area = {
  name: 'server',
  cases: [
    {
      name: 'GET / welcome document',
      sample: 'root.json',
      db: 'none',
      request: { method: 'GET', path: '/', auth: 'none' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { 'cache-control': 'must-revalidate' },
        keys: ['couchdb', 'version', 'git_sha', 'uuid', 'features', 'vendor'],
        check: (res) => {
          const b = asObject(res.json);
          assert.equal(b.couchdb, 'Welcome');
          assert.match(b.version, /^\d+\.\d+\.\d+/);
          assert.match(b.uuid, /^[0-9a-f]{32}$/);
          assert.ok(Array.isArray(b.features) && b.features.every((f: unknown) => typeof f === 'string'));
          assert.equal(typeof b.vendor?.name, 'string', 'vendor.name');
        },
      },
    },
    {
      name: 'GET /_up',
      sample: 'up.json',
      db: 'none',
      request: { method: 'GET', path: '/_up', auth: 'none' },
      expect: { status: 200, contentType: JSON_CT, body: { status: 'ok', seeds: {} } },
    },
    {
      name: 'GET /_all_dbs lists the new db, sorted',
      request: { method: 'GET', path: '/_all_dbs' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res, ctx) => {
          const list = res.json as string[];
          assert.ok(Array.isArray(list), '_all_dbs must be an array');
          assert.ok(list.includes(ctx.db), `${ctx.db} missing from _all_dbs`);
          assert.deepEqual(list, [...list].sort(), '_all_dbs must be sorted');
        },
      },
    },
    {
      name: 'GET /_uuids?count=3: distinct 32-hex ids',
      db: 'none',
      request: { method: 'GET', path: '/_uuids?count=3' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        keys: ['uuids'],
        check: (res) => {
          const { uuids } = asObject(res.json);
          assert.equal(uuids.length, 3);
          for (const u of uuids) assert.match(u, /^[0-9a-f]{32}$/);
          assert.equal(new Set(uuids).size, 3);
        },
      },
    },
    {
      name: 'GET /_uuids: one id by default',
      db: 'none',
      request: { method: 'GET', path: '/_uuids' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          const { uuids } = asObject(res.json);
          assert.equal(uuids.length, 1);
          assert.match(uuids[0], /^[0-9a-f]{32}$/);
        },
      },
    },
    {
      name: 'GET /_session anonymous: name null, no "authenticated"',
      sample: 'session-get-anonymous.json',
      db: 'none',
      request: { method: 'GET', path: '/_session', auth: 'none' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { ok: true, userCtx: { name: null, roles: [] }, info: { authentication_handlers: HANDLERS } },
      },
    },
    {
      name: 'GET /_session with Basic auth: authenticated "default"',
      sample: 'session-get-basic-auth.json',
      deviation: 'user name is the target admin',
      db: 'none',
      request: { method: 'GET', path: '/_session' },
      expect: (ctx) => ({
        status: 200,
        contentType: JSON_CT,
        body: {
          ok: true,
          userCtx: { name: ctx.target.admin.user, roles: ['_admin'] },
          info: { authentication_handlers: HANDLERS, authenticated: 'default' },
        },
      }),
    },
    {
      name: 'POST /_session JSON: {ok,name,roles} + AuthSession cookie',
      sample: 'session-post-json.json',
      deviation: 'user name is the target admin',
      db: 'none',
      request: (ctx) => ({
        method: 'POST',
        path: '/_session',
        auth: 'none',
        body: { name: ctx.target.admin.user, password: ctx.target.admin.password },
      }),
      expect: (ctx) => ({
        status: 200,
        contentType: JSON_CT,
        headers: { 'set-cookie': COOKIE },
        body: { ok: true, name: ctx.target.admin.user, roles: ['_admin'] },
      }),
    },
    {
      name: 'POST /_session form-urlencoded',
      sample: 'session-post-form-urlencoded.json',
      deviation: 'user name is the target admin',
      db: 'none',
      request: (ctx) => ({
        method: 'POST',
        path: '/_session',
        auth: 'none',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `name=${encodeURIComponent(ctx.target.admin.user)}&password=${encodeURIComponent(ctx.target.admin.password)}`,
      }),
      expect: (ctx) => ({
        status: 200,
        contentType: JSON_CT,
        headers: { 'set-cookie': COOKIE },
        body: { ok: true, name: ctx.target.admin.user, roles: ['_admin'] },
      }),
    },
    {
      name: 'GET /_session with the cookie: authenticated "cookie"',
      sample: 'session-get-cookie.json',
      deviation: 'user name is the target admin',
      db: 'none',
      setup: async (ctx) => {
        ctx.vars.cookie = await login(ctx.target);
      },
      request: (ctx) => ({ method: 'GET', path: '/_session', auth: { cookie: ctx.vars.cookie! } }),
      expect: (ctx) => ({
        status: 200,
        contentType: JSON_CT,
        body: {
          ok: true,
          userCtx: { name: ctx.target.admin.user, roles: ['_admin'] },
          info: { authentication_handlers: HANDLERS, authenticated: 'cookie' },
        },
      }),
    },
    {
      name: 'cookie authenticates db requests',
      db: 'fresh',
      setup: async (ctx) => {
        ctx.vars.cookie = await login(ctx.target);
      },
      request: (ctx) => ({ method: 'GET', path: '/{db}', auth: { cookie: ctx.vars.cookie! } }),
      expect: (ctx) => ({
        status: 200,
        contentType: JSON_CT,
        check: (res) => assert.equal(asObject(res.json).db_name, ctx.db),
      }),
    },
    {
      name: 'DELETE /_session: {ok:true} and an emptied cookie',
      sample: 'session-delete.json',
      db: 'none',
      setup: async (ctx) => {
        ctx.vars.cookie = await login(ctx.target);
      },
      request: (ctx) => ({ method: 'DELETE', path: '/_session', auth: { cookie: ctx.vars.cookie! } }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { 'set-cookie': EXPIRED_COOKIE },
        body: { ok: true },
      },
    },
    {
      name: 'POST /_session wrong password -> 401',
      sample: 'session-post-bad-password-401.json',
      db: 'none',
      request: (ctx) => ({
        method: 'POST',
        path: '/_session',
        auth: 'none',
        body: { name: ctx.target.admin.user, password: 'wrong' },
      }),
      expect: {
        status: 401,
        contentType: JSON_CT,
        body: { error: 'unauthorized', reason: 'Name or password is incorrect.' },
      },
    },
    {
      name: 'Basic auth with a wrong password -> 401',
      sample: 'error-401-bad-password.json',
      request: (ctx) => ({
        method: 'GET',
        path: '/{db}',
        auth: 'none',
        headers: { Authorization: basic(ctx.target.admin.user, 'wrongpassword') },
      }),
      expect: {
        status: 401,
        contentType: JSON_CT,
        body: { error: 'unauthorized', reason: 'Name or password is incorrect.' },
      },
    },
    {
      name: 'anonymous GET /_node/_local/_config -> 401 not a server admin',
      sample: 'error-401-anonymous-admin-only.json',
      db: 'none',
      request: { method: 'GET', path: '/_node/_local/_config', auth: 'none' },
      expect: {
        status: 401,
        contentType: JSON_CT,
        body: { error: 'unauthorized', reason: 'You are not a server admin.' },
      },
    },
    {
      name: 'cookie from a form-urlencoded login authenticates (what the replicator does)',
      db: 'none',
      setup: async (ctx) => {
        const res = await ctx.http('POST', '/_session', {
          auth: 'none',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `name=${encodeURIComponent(ctx.target.admin.user)}&password=${encodeURIComponent(ctx.target.admin.password)}`,
        });
        ctx.vars.cookie = cookiePair(res);
      },
      request: (ctx) => ({ method: 'GET', path: '/_session', auth: { cookie: ctx.vars.cookie! } }),
      expect: (ctx) => ({
        status: 200,
        check: (res) => {
          const b = asObject(res.json);
          assert.equal(b.userCtx.name, ctx.target.admin.user);
          assert.equal(b.info.authenticated, 'cookie');
        },
      }),
    },
  ],
};
