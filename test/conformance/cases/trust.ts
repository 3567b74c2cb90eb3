// CouchDB 3's security defaults (default.ini: `[couchdb] default_security = admin_only`,
// `[chttpd] admin_only_all_dbs = true`, `_users` closed, `[chttpd_auth] iterations = 600000`), as a
// real CouchDB 3.5.0 answered them (REFERENCE.md G1): an anonymous or non-admin client cannot become
// admin, gain a role, read a hash, read `_replicator` credentials, or read/write an admin-only db.
//
// Users are created by the server admin with unique names and deleted afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { onCleanup, request, uniqueName } from '../harness.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

const userPath = (name: string) => `/_users/${encodeURIComponent(`org.couchdb.user:${name}`)}`;

/** Creates a user (roles set by the admin) and keeps its name and password in ctx.vars. */
async function user(ctx: Ctx, roles: string[] = []): Promise<void> {
  const name = uniqueName('cm_conf_u_');
  const password = randomBytes(8).toString('hex');
  const doc = await ctx.ok('PUT', userPath(name), { body: { name, password, roles, type: 'user' } });
  ctx.vars.user = name;
  ctx.vars.pw = password;
  onCleanup(async () => {
    const cur = await request(ctx.target, 'GET', userPath(name));
    const rev = (cur.json as { _rev?: string })._rev ?? (doc as { rev: string }).rev;
    await request(ctx.target, 'DELETE', `${userPath(name)}?rev=${encodeURIComponent(rev)}`);
  });
}

const as = (ctx: Ctx) => ({ user: ctx.vars.user!, password: ctx.vars.pw! });
const unauthorized = (reason?: string) => ({
  status: 401,
  contentType: JSON_CT,
  check: (res: { json: unknown }) => {
    const b = res.json as { error?: string; reason?: string };
    assert.equal(b.error, 'unauthorized');
    if (reason) assert.equal(b.reason, reason);
  },
});
const refusedUser = {
  status: [401, 403],
  contentType: JSON_CT,
  check: (res: { json: unknown }) =>
    assert.ok(['unauthorized', 'forbidden'].includes((res.json as { error: string }).error)),
};

export const trustArea: Area = {
  name: 'security defaults',
  cases: [
    {
      name: 'a new database is admin-only: _security members and admins hold the _admin role',
      request: { method: 'GET', path: '/{db}/_security' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        keyOrder: false,
        body: { members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } },
      },
    },
    {
      name: 'anonymous GET of a new database -> 401',
      request: { method: 'GET', path: '/{db}', auth: 'none' },
      expect: unauthorized('You are not authorized to access this db.'),
    },
    {
      name: 'anonymous PUT of a doc into a new database -> 401, nothing written',
      request: { method: 'PUT', path: '/{db}/anon', auth: 'none', body: { a: 1 } },
      expect: {
        ...unauthorized(),
        check: async (res, ctx) => {
          assert.equal((res.json as { error: string }).error, 'unauthorized');
          assert.equal((await ctx.http('GET', '/{db}/anon')).status, 404);
        },
      },
    },
    {
      name: 'an authenticated non-member -> 403 on a new database',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: '/{db}/_all_docs', auth: as(ctx) }),
      expect: {
        status: 403,
        contentType: JSON_CT,
        body: { error: 'forbidden', reason: 'You are not allowed to access this db.' },
      },
    },
    {
      name: 'a user holding a member role set by an admin reads the db (200)',
      setup: async (ctx) => {
        await user(ctx, ['cm_conf_reader']);
        await ctx.ok('PUT', '/{db}/_security', {
          body: { admins: { names: [], roles: [] }, members: { names: [], roles: ['cm_conf_reader'] } },
        });
      },
      request: (ctx) => ({ method: 'GET', path: '/{db}/_all_docs', auth: as(ctx) }),
      expect: { status: 200, contentType: JSON_CT },
    },
    {
      name: 'anonymous GET /_all_dbs -> 401 (admin_only_all_dbs)',
      db: 'none',
      request: { method: 'GET', path: '/_all_dbs', auth: 'none' },
      expect: unauthorized(),
    },
    {
      name: 'anonymous sign-up with roles ["_admin"] -> 401, no user made',
      db: 'none',
      setup: async (ctx) => {
        ctx.vars.eve = uniqueName('cm_conf_eve_');
      },
      request: (ctx) => ({
        method: 'PUT',
        path: userPath(ctx.vars.eve!),
        auth: 'none',
        body: { name: ctx.vars.eve, password: 'e', roles: ['_admin'], type: 'user' },
      }),
      expect: {
        status: 401,
        contentType: JSON_CT,
        check: async (_res, ctx) => {
          assert.equal((await ctx.http('GET', userPath(ctx.vars.eve!))).status, 404);
          const login = await ctx.http('GET', '/_session', { auth: { user: ctx.vars.eve!, password: 'e' } });
          assert.equal(login.status, 401);
        },
      },
    },
    {
      name: 'a user cannot give itself a role (PUT own doc with roles) -> 403',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({
        method: 'PUT',
        path: userPath(ctx.vars.user!),
        auth: as(ctx),
        body: { name: ctx.vars.user, password: ctx.vars.pw, roles: ['_admin'], type: 'user' },
      }),
      expect: {
        ...refusedUser,
        check: async (_res, ctx) => {
          const s = await ctx.http('GET', '/_session', { auth: as(ctx) });
          assert.deepEqual((s.json as { userCtx: { roles: string[] } }).userCtx.roles, []);
        },
      },
    },
    {
      name: 'a user cannot read its own user doc (no hash shown) -> 403',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: userPath(ctx.vars.user!), auth: as(ctx) }),
      expect: {
        ...refusedUser,
        check: (res) => assert.doesNotMatch(JSON.stringify(res.json), /derived_key|salt/),
      },
    },
    {
      name: 'anonymous GET /_users/_all_docs and /_users/_changes -> 401',
      db: 'none',
      request: { method: 'GET', path: '/_users/_changes?include_docs=true', auth: 'none' },
      expect: {
        ...unauthorized(),
        check: async (res, ctx) => {
          assert.equal((res.json as { error: string }).error, 'unauthorized');
          const all = await ctx.http('GET', '/_users/_all_docs', { auth: 'none' });
          assert.equal(all.status, 401);
        },
      },
    },
    {
      name: 'a non-admin cannot list _users -> refused',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: '/_users/_all_docs', auth: as(ctx) }),
      expect: refusedUser,
    },
    {
      name: 'a user doc is stored hashed with pbkdf2-sha256 and 600000 iterations',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: userPath(ctx.vars.user!) }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          const d = res.json as Record<string, unknown>;
          assert.equal(d.password, undefined);
          assert.equal(d.password_scheme, 'pbkdf2');
          assert.equal(d.pbkdf2_prf, 'sha256');
          assert.equal(d.iterations, 600000);
        },
      },
    },
    {
      name: 'anonymous GET /_replicator/_all_docs -> 401',
      db: 'none',
      request: { method: 'GET', path: '/_replicator/_all_docs?include_docs=true', auth: 'none' },
      expect: unauthorized(),
    },
    {
      name: 'anonymous PUT /_replicator/x -> 401',
      db: 'none',
      request: {
        method: 'PUT',
        path: '/_replicator/cm_conf_anon',
        auth: 'none',
        body: { source: 'http://127.0.0.1:1/a', target: 'http://127.0.0.1:1/b' },
      },
      expect: unauthorized(),
    },
    {
      name: 'anonymous POST /_replicator/_changes?filter=_selector (the password oracle) -> 401',
      db: 'none',
      request: {
        method: 'POST',
        path: '/_replicator/_changes?filter=_selector',
        auth: 'none',
        body: { selector: { 'source.auth.basic.password': { $regex: '^' } } },
      },
      expect: unauthorized(),
    },
    {
      name: 'a non-admin cannot read _replicator docs (credentials) -> refused',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: '/_replicator/_all_docs?include_docs=true', auth: as(ctx) }),
      expect: refusedUser,
    },
    {
      name: 'a non-admin GET /_node/_local/_config -> 401 "You are not a server admin."',
      db: 'none',
      setup: (ctx) => user(ctx),
      request: (ctx) => ({ method: 'GET', path: '/_node/_local/_config', auth: as(ctx) }),
      expect: unauthorized('You are not a server admin.'),
    },
    {
      name: '_config values must be JSON strings: a number -> 400 "a JSON string expected"',
      db: 'none',
      request: { method: 'PUT', path: '/_node/_local/_config/cm_conf/key', body: 5 },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'a JSON string expected' },
      },
    },
    {
      name: '_config/admins: PUT hashes and takes effect, GET/DELETE answer the hash, deleted admin refused',
      db: 'none',
      setup: async (ctx) => {
        ctx.vars.adm = uniqueName('cm_conf_adm_');
        ctx.vars.admPw = randomBytes(8).toString('hex');
        const put = await ctx.http('PUT', `/_node/_local/_config/admins/${ctx.vars.adm}`, {
          body: JSON.stringify(ctx.vars.admPw),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(put.status, 200, put.text);
        onCleanup(async () => {
          await request(ctx.target, 'DELETE', `/_node/_local/_config/admins/${ctx.vars.adm}`);
        });
      },
      request: (ctx) => ({ method: 'GET', path: `/_node/_local/_config/admins/${ctx.vars.adm}` }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          const hash = res.json as string;
          assert.match(hash, /^-pbkdf2/);
          assert.ok(!hash.includes(ctx.vars.admPw!), 'the hash never holds the password');
          const me = { user: ctx.vars.adm!, password: ctx.vars.admPw! };
          // CouchDB applies the new admin within about a second (config listeners)
          let roles: string[] = [];
          for (let i = 0; i < 50 && !roles.includes('_admin'); i++) {
            const s = await ctx.http('GET', '/_session', { auth: me });
            roles = s.status === 200 ? (s.json as { userCtx: { roles: string[] } }).userCtx.roles : [];
            if (!roles.includes('_admin')) await new Promise((r) => setTimeout(r, 100));
          }
          assert.ok(roles.includes('_admin'), 'the new admin authenticates');
          const del = await ctx.http('DELETE', `/_node/_local/_config/admins/${ctx.vars.adm}`);
          assert.equal(del.status, 200);
          assert.match(del.json as string, /^-pbkdf2/);
          assert.ok(!(del.json as string).includes(ctx.vars.admPw!));
          let status = 200;
          for (let i = 0; i < 50 && status === 200; i++) {
            status = (await ctx.http('GET', '/_all_dbs', { auth: me })).status;
            if (status === 200) await new Promise((r) => setTimeout(r, 100));
          }
          assert.equal(status, 401, 'the deleted admin is refused');
        },
      },
    },
  ],
};
