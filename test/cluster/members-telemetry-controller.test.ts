// CLUSTERS (#17) through the controller and its HTTP API (what the dashboard reads): node c declared
// with a stable `url` (the simulated cluster's front) and `members:` (each member's own URL). With c1
// stopped, the controller's snapshot and `/api/v1/nodes` say `member-down` naming c1, the member URL
// that answered (c2) and the members down; `/api/v1/links` the member running each job of c. No
// `node-unreachable`, no `doc-missing`. c1 back: the finding resolves.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type RunningApi, startApi } from '../../src/api/server.ts';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { controllerLogger } from '../../src/controller/log.ts';
import { until } from '../telemetry/helpers.ts';
import { MEMBERS } from './lib/front.ts';
import { type ClusterWorld, docOf, membersWorld } from './lib/world.ts';

const [C1, C2, C3] = MEMBERS;
// dry run: the controller observes and reports, it repairs nothing (nothing here needs repair)
const CONTROLLER = `controller:
  poll_interval_ms: 150
  drift_interval_ms: 300
  deep_check_interval_ms: 60000
  conflicts_interval_ms: 60000
`;

// biome-ignore lint/suspicious/noExplicitAny: assertions walk the API's JSON bodies
type Json = any;

describe('controller and API on a cluster node with members: c1 down', () => {
  let w: ClusterWorld;
  let c: Controller;
  let api: RunningApi;
  const get = async (path: string): Promise<Json> => (await fetch(`${api.url}/api/v1${path}`)).json();
  const cNode = async (): Promise<Json> =>
    (await get('/nodes')).nodes.find((n: { name: string }) => n.name === 'c')?.status;

  before(async () => {
    w = await membersWorld();
    w.cluster.pin(docOf('s1', 'c'), C2);
    w.cluster.pin(docOf('s2', 'c'), C3);
    appendFileSync(w.file, CONTROLLER);
    await w.apply();
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    c = startController(
      { file: w.file, dryRun: true, stateDir: join(w.dir, 'state'), log: (r) => controllerLogger(r, quiet) },
      w.deps(),
    );
    api = await startApi(c);
  });
  after(async () => {
    await api?.close();
    await c?.stop();
    await w.close();
  });

  it('the snapshot and the API carry the member that answered, the members down and the member per direction', async () => {
    const up = await until(
      'c answered by c1',
      async () => {
        const n = await cNode();
        return n?.member === w.cluster.memberUrl(C1) && n.cluster_members?.length === 3 ? n : undefined;
      },
      1000,
    );
    assert.equal(up.members_down, undefined);

    await w.cluster.down(C1);
    const down = await until(
      'c1 down in the API',
      async () => {
        const n = await cNode();
        return n?.members_down?.length ? n : undefined;
      },
      1000,
    );
    assert.deepEqual(down.members_down, [C1]);
    assert.equal(down.reachable, true);
    assert.equal(down.member, w.cluster.memberUrl(C2));
    const findings = await until(
      'member-down raised',
      async () => {
        const f = (await get('/findings')).findings as Array<{ rule: string; node: string | null }>;
        return f.some((x) => x.rule === 'member-down') ? f : undefined;
      },
      1000,
    );
    assert.deepEqual(
      findings.map((f) => `${f.rule} ${f.node}`),
      ['member-down c'],
    );
    const links = (await get('/links')).links as Array<{ direction: string; status: Json }>;
    const member = (dir: string) => links.find((l) => l.direction === dir)?.status?.cluster_node;
    assert.deepEqual([member('s1->c'), member('s2->c'), member('c->s1')], [C2, C3, undefined]);
    // the snapshot the dashboard starts from says the same
    const snap = c.snapshot();
    assert.deepEqual(snap.status?.nodes.find((n) => n.node === 'c')?.members_down, [C1]);

    await w.cluster.up(C1);
    w.cluster.settle();
    await until(
      'member-down resolved',
      async () => ((await get('/findings')).findings.length === 0 ? true : undefined),
      1000,
    );
    assert.equal((await cNode()).members_down, undefined);
  });
});
