// CONTROLLER-UI must-show against the REAL world (real-world.ts): examples/seed-mesh.yaml on four
// embedded nodes, the real controller, the real API serving the dashboard built from web/, in
// Debian's headless chromium. One mesh for every step, in order: 4 nodes and 10 directions; a node
// stopped turns its arrows red and raises a finding, restarted (same port, same data) green again;
// a conflict made during a partition shows in the conflicts panel and goes once resolved, its
// losers in the audit; a hand-edited managed `_replicator` doc repaired (actions timeline); a
// database recreated while idle detected (`db-recreated`) and backfilled (restart-job).
// Screenshots to test-artifacts/dashboard/real-*.png. Every wait polls observable state, bounded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CouchClient } from '../../src/couch/index.ts';
import { CouchAuditSink } from '../../src/resolve/index.ts';
import { DB, type Json, until } from '../telemetry/helpers.ts';
import { buildDashboard, laptopPage, launch, screenshot } from './browser.ts';
import { RECREATED_ON, RESOLVER, RealWorld, VICTIM } from './real-world.ts';

let world: RealWorld;
let browser: Browser;
let page: Page;
let removeBuild = () => {};

before(async () => {
  const web = await buildDashboard();
  removeBuild = web.remove;
  world = await new RealWorld().start(web.dir);
  browser = await launch();
  ({ page } = await laptopPage(browser));
  await page.goto(world.api.url);
  await page.locator('[data-connection="live"]').waitFor();
});

after(async () => {
  await browser?.close();
  await world?.close();
  removeBuild();
});

const healthOf = () =>
  page.$$eval('[data-direction]', (els) =>
    els.map((e) => `${e.getAttribute('data-direction')}=${e.getAttribute('data-health')}`).sort(),
  );

/** Polls the page (bounded) until every arrow shows `want(direction)`. */
async function arrowsBecome(want: (direction: string) => string, tries = 200): Promise<void> {
  const directions = world.controller.snapshot().directions.map((d) => d.direction);
  const expected = directions.map((d) => `${d}=${want(d)}`).sort();
  for (let i = 0; i < tries; i++) {
    if (JSON.stringify(await healthOf()) === JSON.stringify(expected)) return;
    await page.waitForTimeout(50);
  }
  const snap = world.controller.snapshot();
  const why = snap.findings.map((f) => `${f.rule}/${f.severity}@${f.direction ?? f.node}: ${f.message}`);
  const rows = snap.status?.directions.map((d) => JSON.stringify(d)) ?? [];
  assert.deepEqual(await healthOf(), expected, [...why, ...rows].join('\n'));
}
const touchesVictim = (d: string) => d.split('->').includes(VICTIM);
/** a bounded wait for a selector: polls, then fails with the selector */
const shows = (selector: string, timeout = 15_000) => page.locator(selector).first().waitFor({ timeout });
const timelineText = () =>
  page
    .locator('.list')
    .allInnerTexts()
    .then((t) => t.join('\n'));

test('1. the seed mesh: 4 nodes and 10 directions, all green', async () => {
  const shown = await page.$$eval('[data-node]', (els) => els.map((e) => e.getAttribute('data-node')));
  assert.deepEqual(shown.sort(), ['n1', 'n2', 'n3', 'n4']);
  assert.equal(await page.locator('[data-direction]').count(), 10);
  await arrowsBecome(() => 'ok');
  await screenshot(page, 'real-1-healthy');
});

test('2. a node stopped: its arrows red and a finding; restarted on its port and data: green', async () => {
  const pollOf = () => world.controller.snapshot().status?.poll ?? 0;
  const first = pollOf();
  await world.nodeDown();
  await arrowsBecome((d) => (touchesVictim(d) ? 'bad' : 'ok'));
  await shows(`[data-node="${VICTIM}"][data-reachable="false"]`);
  await shows('[data-finding="node-unreachable"]');
  const named = world.controller
    .snapshot()
    .findings.some((f) => f.rule === 'node-unreachable' && f.node === VICTIM);
  assert.ok(named, 'the finding names the stopped node');
  assert.ok(pollOf() - first <= 6, `shown within a few polls (${pollOf() - first})`);
  await screenshot(page, 'real-2-node-down');
  await world.nodeUp();
  await arrowsBecome(() => 'ok');
  await shows(`[data-node="${VICTIM}"][data-reachable="true"]`);
  assert.equal(await page.locator('[data-finding="node-unreachable"]').count(), 0);
  await screenshot(page, 'real-2-node-back');
});

test('3. a conflict made during a partition appears, is resolved (lww), its loser in the audit', async () => {
  // every value the conflicts row takes, as the page renders it (a pass may show 1 then 0 quickly)
  // (a string: tsx's __name helper does not exist in the page)
  await page.evaluate(`(() => {
    window.seenConflicted = [];
    const record = () => {
      for (const el of document.querySelectorAll('[data-conflicts]'))
        window.seenConflicted.push(el.getAttribute('data-conflicts') + '=' + el.getAttribute('data-conflicted'));
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['data-conflicted'],
    });
  })()`);
  const id = 'reading-partitioned';
  const { revs } = await world.conflictDuringPartition(id);
  const row = `${DB}@${RESOLVER}`;
  const resolution = await until(
    'the resolution',
    async () => world.controller.snapshot().resolutions.find((r) => r.doc_id === id),
    1_000,
  );
  await shows(`[data-resolution="${resolution.audit_id}"]`);
  await shows(`[data-conflicts="${row}"][data-conflicted="0"]`);
  const seen = (await page.evaluate('window.seenConflicted')) as string[];
  assert.ok(seen.includes(`${row}=1`), `the panel showed the conflict (saw ${seen.join(' ')})`);
  await screenshot(page, 'real-3-conflict-resolved');
  // lww keeps the later body (n4's) as a new revision on CouchDB's winning branch and deletes the
  // other leaf: the loser is that leaf's revision, whichever write it carried
  assert.equal(resolution.losers.length, 1);
  const loser = resolution.losers[0] as string;
  assert.ok(revs.includes(loser), `${loser} is one of ${revs.join(', ')}`);
  // entries live in batch documents: read through the audit's reader, not by document id
  const client = new CouchClient({
    url: world.mesh.url(RESOLVER),
    auth: { username: 'admin', password: world.mesh.password },
  });
  const audit = await new CouchAuditSink(client).get(resolution.audit_id).finally(() => client.close());
  assert.ok(JSON.stringify(audit).includes(loser), 'the audit entry names the loser');
  const doc: Json = await world.mesh.ok(RESOLVER, 'GET', `/${DB}/${id}?conflicts=true`);
  assert.equal(doc.side, 'n4');
  assert.equal(doc._conflicts, undefined);
});

test('4. a hand-edited managed _replicator doc is repaired (actions timeline)', async () => {
  const edit = await world.editManagedDoc();
  const repaired = await until(
    'the doc repaired',
    async () => {
      const d: Json = await world.mesh.ok(edit.node, 'GET', `/_replicator/${encodeURIComponent(edit.id)}`);
      return d.checkpoint_interval !== edit.value ? d : undefined;
    },
    1_000,
  );
  assert.notEqual(repaired.checkpoint_interval, edit.value);
  const action = await until(
    'the drift action',
    async () =>
      world.controller
        .snapshot()
        .actions.find((a) => a.loop === 'drift' && a.kind === 'apply' && a.outcome === 'done'),
    1_000,
  );
  await until('the action in the timeline', async () =>
    (await timelineText()).includes(`drift apply ${action.target}: done`) ? true : undefined,
  );
  // the next drift pass finds the mesh as declared again
  await page.getByText('as declared').first().waitFor({ timeout: 15_000 });
  await screenshot(page, 'real-4-drift-repaired');
});

test('5. a database recreated while idle: db-recreated detected, backfilled (restart-job)', async () => {
  await world.mesh.write('n1', 'backfill', 20);
  const total = await world.docCount('n1');
  await until(
    `${total} docs on ${RECREATED_ON}`,
    async () => ((await world.docCount(RECREATED_ON)) >= total ? true : undefined),
    1_000,
  );
  await world.deepPassDone();
  await world.recreateDb();
  const action = await until(
    'the restart-job action',
    async () =>
      world.controller
        .snapshot()
        .actions.find(
          (a) =>
            a.kind === 'restart-job' && a.outcome === 'done' && a.target.endsWith(`->${RECREATED_ON}/${DB}`),
        ),
    1_000,
  );
  assert.equal(action.finding, 'db-recreated');
  assert.match(action.detail, /recreated/);
  await until(
    'backfilled',
    async () => ((await world.docCount(RECREATED_ON)) >= total ? true : undefined),
    1_000,
  );
  await until('the action in the timeline', async () =>
    (await timelineText()).includes(`restart-job ${action.target}: done`) ? true : undefined,
  );
  await screenshot(page, 'real-5-db-recreated-backfilled');
  // the directions into the recreated database are green again; those out of it stay red: the
  // seq-regression rule keeps a recreated source (instance_start_time changed) critical for its
  // window (rules-regression.ts), longer than this test runs
  await arrowsBecome((d) => (d.startsWith(`${RECREATED_ON}->`) ? 'bad' : 'ok'), 200);
  await shows('[data-finding="seq-regression"]');
  await screenshot(page, 'real-5-after-backfill');
});
