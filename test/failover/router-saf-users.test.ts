// FAILOVER (#15) store-and-forward under least-privilege replication users (`replication_users:
// { per: link }`), on embedded nodes (router-harness.ts): n3->n4 degraded -> the legs n3->r and
// r->n4 authenticate as the n3--n4 link's user (never admin), that user is created on the relay r
// (on no link of the database) and r's `sensors` lets it in by name, so data written on n3 reaches
// n4 through r; the controller's next plans are no-ops (nothing re-created, no 409).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { legId } from '../../src/plan/routes.ts';
import { DB, TelemetryMesh } from '../telemetry/helpers.ts';
import { RouterWorld } from './router-harness.ts';

const REPL_PW = 'repl-n3-n4-pw';
const USER = 'couchmesh-repl-n3--n4';

/** The harness's mesh with the link user's password in the environment. */
class UsersMesh extends TelemetryMesh {
  override get env(): Record<string, string | undefined> {
    return { ...super.env, REPL_N3__N4: REPL_PW };
  }
}

describe('router, store-and-forward, replication_users per link', () => {
  const w = new RouterWorld(new UsersMesh());

  before(async () => {
    const { appendFileSync } = await import('node:fs');
    const start = w.mesh.start.bind(w.mesh);
    // the users block joins the mesh file the harness writes, before its first apply
    w.mesh.start = async (...a: Parameters<TelemetryMesh['start']>) => {
      const m = await start(...a);
      appendFileSync(m.file, 'replication_users: { per: link, password_env: "REPL_{LINK}" }\n');
      return m;
    };
    await w.start('store-and-forward');
    w.startController();
    // the direct path carries data as the link's user before any degradation
    await w.mesh.write('n3', 'a', 20);
    await w.reaches('n4', 20);
  });
  after(() => w.close());

  it("degraded: the legs run as the link's user, created on r and let into r's database; data reaches n4 via r", async () => {
    const direct = await w.doc();
    assert.equal(direct.source.auth.basic.username, USER, 'the mesh runs on the link user');
    w.setLink('bad');
    await w.mesh.write('n3', 'b', 10);
    await w.routed('relayed');
    for (const [node, id] of [
      ['r', legId('t', DB, 'n3', 'r')],
      ['n4', legId('t', DB, 'r', 'n4')],
    ] as const) {
      const leg = await w.doc(node, id);
      assert.equal(leg.source.auth.basic.username, USER, id);
      assert.equal(leg.target.auth.basic.username, USER, id);
    }
    const user = await w.mesh.ok('r', 'GET', `/_users/${encodeURIComponent(`org.couchdb.user:${USER}`)}`);
    assert.deepEqual(user.roles, []);
    const sec = await w.mesh.ok('r', 'GET', `/${DB}/_security`);
    assert.deepEqual(sec.members.names, [USER]);
    await w.reaches('r', 30);
    await w.reaches('n4', 30);
    // the route's plans after this one find everything in place
    const routeActions = () => w.c.snapshot().actions.filter((a) => a.loop === 'route');
    const n = routeActions().length;
    await w.waitPolls(3);
    assert.equal(routeActions().length, n);
    assert.ok(
      routeActions().every((a) => a.outcome === 'done'),
      JSON.stringify(routeActions()),
    );
  });
});
