// _security GET/PUT and its enforcement for anonymous, non-member and member users.
//
// The samples used users "alice" (member) and "bob"; the cases create their own users with unique names
// (`cm_conf_<random>`) in `_users`, so they cannot collide with real users on a shared server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createUser, uniqueName } from '../harness.ts';
import { checkDbInfo } from './db.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

const security = (member: string) => ({
  admins: { names: [], roles: [] },
  members: { names: [member], roles: [] },
});

/** Creates users alice (member) and bob (not a member) and restricts the db to alice. */
async function membersOnly(ctx: Ctx, users: { alice?: boolean; bob?: boolean } = {}): Promise<void> {
  ctx.vars.alice = uniqueName('cm_conf_alice_');
  ctx.vars.bob = uniqueName('cm_conf_bob_');
  ctx.vars.alicePw = randomBytes(8).toString('hex');
  ctx.vars.bobPw = randomBytes(8).toString('hex');
  if (users.alice) await createUser(ctx.target, ctx.vars.alice, ctx.vars.alicePw);
  if (users.bob) await createUser(ctx.target, ctx.vars.bob, ctx.vars.bobPw);
  await ctx.ok('PUT', '/{db}/_security', { body: security(ctx.vars.alice) });
}

const alice = (ctx: Ctx) => ({ user: ctx.vars.alice!, password: ctx.vars.alicePw! });

export const securityArea: Area = {
  name: '_security',
  cases: [
    {
      name: 'PUT /db/_security with members.names -> {ok:true}',
      sample: 'security-put-members.json',
      deviation: 'member name is unique per run',
      request: { method: 'PUT', path: '/{db}/_security', body: security('cm_conf_someone') },
      expect: { status: 200, contentType: JSON_CT, body: { ok: true } },
    },
    {
      name: 'GET /db/_security returns what was PUT',
      sample: 'security-get.json',
      deviation: 'member name is unique per run',
      setup: (ctx) => membersOnly(ctx),
      request: { method: 'GET', path: '/{db}/_security' },
      expect: (ctx) => ({ status: 200, contentType: JSON_CT, body: security(ctx.vars.alice!) }),
    },
    {
      name: 'anonymous GET of a members-only db -> 401',
      sample: 'error-401-anonymous-members-db.json',
      setup: (ctx) => membersOnly(ctx),
      request: { method: 'GET', path: '/{db}', auth: 'none' },
      expect: {
        status: 401,
        contentType: JSON_CT,
        body: { error: 'unauthorized', reason: 'You are not authorized to access this db.' },
      },
    },
    {
      name: 'non-member GET of a members-only db -> 403',
      sample: 'error-403-forbidden-non-member.json',
      setup: (ctx) => membersOnly(ctx, { bob: true }),
      request: (ctx) => ({
        method: 'GET',
        path: '/{db}',
        auth: { user: ctx.vars.bob!, password: ctx.vars.bobPw! },
      }),
      expect: {
        status: 403,
        contentType: JSON_CT,
        body: { error: 'forbidden', reason: 'You are not allowed to access this db.' },
      },
    },
    {
      name: 'member GET of a members-only db -> 200 db info',
      sample: 'secdb-member-get-200.json',
      setup: (ctx) => membersOnly(ctx, { alice: true }),
      request: (ctx) => ({ method: 'GET', path: '/{db}', auth: alice(ctx) }),
      expect: { status: 200, contentType: JSON_CT, check: (res, ctx) => checkDbInfo(res, ctx) },
    },
    {
      name: 'member can write and read docs of a members-only db',
      setup: async (ctx) => {
        await membersOnly(ctx, { alice: true });
        const put = await ctx.http('PUT', '/{db}/by-alice', { auth: alice(ctx), body: { a: 1 } });
        assert.equal(put.status, 201, `member PUT: ${put.text}`);
      },
      request: (ctx) => ({ method: 'GET', path: '/{db}/by-alice', auth: alice(ctx) }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: { _id: 'by-alice', _rev: '1-23202479633c2b380f79507a776743d5', a: 1 },
      },
    },
    {
      name: 'member (non-admin) PUT /db/_security is refused and changes nothing',
      sample: 'error-500-non-admin-put-security-no-majority.json',
      deviation: '3.5.0 answers 500 no_majority (shard-level forbidden); other 3.x answer 403 forbidden',
      setup: (ctx) => membersOnly(ctx, { alice: true }),
      request: (ctx) => ({
        method: 'PUT',
        path: '/{db}/_security',
        auth: alice(ctx),
        body: { members: { names: [], roles: [] } },
      }),
      expect: {
        status: [403, 500],
        contentType: JSON_CT,
        check: async (res, ctx) => {
          const err = (res.json as { error?: string }).error;
          assert.ok(err === 'forbidden' || err === 'error', `error ${err}`);
          const now = await ctx.http('GET', '/{db}/_security');
          assert.deepEqual(now.json, security(ctx.vars.alice!), '_security must be unchanged');
        },
      },
    },
  ],
};
