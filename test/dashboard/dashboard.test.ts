// The dashboard in real headless Chromium (Debian's, via playwright-core) against startApi and a
// controller world (world.ts): the seed mesh's 4 nodes and 10 directions as the spec declares them;
// a node going unreachable turns its arrows red and back green; a direction's panel runs a command
// behind its confirmation; a conflict appears and is resolved; the Mermaid export. Screenshots of
// every state go to test-artifacts/dashboard/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningApi, startApi } from '../../src/api/server.ts';
import { FakeController, graphOf, seedSpec } from '../../src/api/testing.ts';
import { buildDashboard, laptopPage, launch, screenshot } from './browser.ts';
import { fakeWorld, type World } from './world.ts';

const spec = seedSpec();
const { nodes, directions } = graphOf(spec);
let world: World;
let api: RunningApi;
let browser: Browser;
let page: Page;
let requests: string[];
let removeBuild = () => {};
let webDir = '';

before(async () => {
  const web = await buildDashboard();
  removeBuild = web.remove;
  webDir = web.dir;
  world = fakeWorld();
  api = await startApi(world.handle, { webRoot: web.dir });
  browser = await launch();
  ({ page, requests } = await laptopPage(browser));
  await page.goto(api.url);
  await page.locator('[data-connection="live"]').waitFor();
});

after(async () => {
  await browser?.close();
  await api?.close();
  await world?.close();
  removeBuild();
});

const healthOf = (page: Page) =>
  page.$$eval('[data-direction]', (els) =>
    els.map(
      (e) =>
        `${e.getAttribute('data-direction')}|${e.getAttribute('data-db')}=${e.getAttribute('data-health')}`,
    ),
  );
const touches = (d: { from: string; to: string }, n: string) => d.from === n || d.to === n;
const expected = (bad: (d: (typeof directions)[number]) => boolean) =>
  directions.map((d) => `${d.direction}|${d.db}=${bad(d) ? 'bad' : 'ok'}`).sort();

/** Waits until every arrow has the health `bad(d)` says (red or green). */
async function arrowsBecome(bad: (d: (typeof directions)[number]) => boolean) {
  const want = expected(bad);
  for (let i = 0; i < 100; i++) {
    if (JSON.stringify((await healthOf(page)).sort()) === JSON.stringify(want)) return;
    await page.waitForTimeout(50);
  }
  assert.deepEqual((await healthOf(page)).sort(), want);
}

const box = async (selector: string) => JSON.stringify(await page.locator(selector).boundingBox());

test('the seed mesh: 4 nodes and 10 directions as the spec declares them, all green, nothing from elsewhere', async () => {
  assert.equal(nodes.length, 4);
  assert.equal(directions.length, 10);
  const shown = await page.$$eval('[data-node]', (els) => els.map((e) => e.getAttribute('data-node')));
  assert.deepEqual(shown.sort(), nodes.map((n) => n.name).sort());
  await arrowsBecome(() => false);
  const origin = new URL(api.url).origin;
  assert.deepEqual(
    requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:')),
    [],
    'no CDN, no external font',
  );
  const fits = await page.evaluate(
    'document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth',
  );
  assert.equal(fits, true, 'the dashboard fits a 1366x768 screen');
  await screenshot(page, '01-healthy');
});

test('a node goes unreachable: its arrows turn red and it raises a finding; back: green again', async () => {
  const layout = [await box('.graph-area'), await box('.side'), await box('.b1'), await box('.b3')];
  await world.nodeDown();
  await arrowsBecome((d) => touches(d, world.victim));
  await page.locator(`[data-node="${world.victim}"][data-reachable="false"]`).waitFor();
  await page.locator('[data-finding="node-unreachable"]').waitFor();
  await screenshot(page, '02-node-unreachable');
  assert.deepEqual(
    [await box('.graph-area'), await box('.side'), await box('.b1'), await box('.b3')],
    layout,
    'no region moved',
  );

  await page.locator(`[data-direction="n2->${world.victim}"]`).click();
  await page.locator('.link-panel').getByText('Reset checkpoint…').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reset checkpoint' }).click();
  await page.locator('.dialog .result').waitFor();
  await screenshot(page, '03-link-panel-reset');
  if (world.calls)
    assert.deepEqual(world.calls.at(-1), {
      command: 'resetCheckpoint',
      args: [`n2->${world.victim}`, 'sensors'],
    });
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  await world.nodeUp();
  await arrowsBecome(() => false);
  await page.locator(`[data-node="${world.victim}"][data-reachable="true"]`).waitFor();
  await screenshot(page, '04-node-back');
});

test('a conflict appears, then the controller resolves it; its resolution can be undone after confirming', async () => {
  const { db, node } = await world.conflictAppears();
  const row = page.locator(`[data-conflicts="${db}@${node}"]`);
  await page.locator(`[data-conflicts="${db}@${node}"][data-conflicted="1"]`).waitFor();
  await screenshot(page, '05-conflict');
  const audit = await world.conflictResolved();
  await page.locator(`[data-conflicts="${db}@${node}"][data-conflicted="0"]`).waitFor();
  const item = page.locator(`[data-resolution="${audit}"]`);
  // biome-ignore lint/performance/useDomNodeTextContent: playwright's Locator.innerText (the rendered text), not the DOM's
  assert.match(await item.innerText(), new RegExp(`audit ${audit}`));
  assert.equal(await row.count(), 1);
  await screenshot(page, '06-conflict-resolved');
  await item.getByRole('button', { name: 'Undo…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Undo' }).click();
  await page.locator('.dialog .result').waitFor();
  if (world.calls) assert.deepEqual(world.calls.at(-1), { command: 'undoResolution', args: [db, audit] });
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  await page.locator(`[data-resolution="${audit}"][data-undone="true"]`).waitFor();
});

test('the Mermaid export of the live graph', async () => {
  await page.getByRole('button', { name: 'Mermaid' }).click();
  const text = page.locator('textarea.mermaid');
  await page.waitForFunction("document.querySelector('textarea.mermaid')?.value.startsWith('flowchart LR')");
  assert.match(await text.inputValue(), /N1\[\(n1\)\]/);
  await screenshot(page, '07-mermaid');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
});

/** Another API over another in-memory controller, and a fresh page of the same browser. */
async function other(fake: FakeController, token?: string) {
  const other = await startApi(fake, { webRoot: webDir, ...(token ? { token } : {}) });
  const { page } = await laptopPage(browser);
  return { api: other, page, close: async () => Promise.all([page.close(), other.close()]) };
}

test('a relayed direction is drawn dashed through its relay', async () => {
  const fake = new FakeController();
  fake.reroute('n1->n3', 'sensors', ['n2']);
  const o = await other(fake);
  try {
    await o.page.goto(o.api.url);
    const relayed = o.page.locator('[data-direction="n1->n3"][data-relayed="true"] path.line.relayed');
    await relayed.waitFor();
    assert.equal(await o.page.locator('[data-relayed="true"]').count(), 1);
    await screenshot(o.page, '08-relayed');
  } finally {
    await o.close();
  }
});

test('with a token: the page asks for it; typed in, or given as #token= in the URL, it connects', async () => {
  const token = 'dashboard-test-token-0123456789';
  const o = await other(new FakeController(), token);
  const { page: second } = await laptopPage(browser);
  try {
    await o.page.goto(o.api.url);
    await o.page.locator('[data-connection="unauthorized"]').waitFor();
    await o.page.getByPlaceholder('API token').fill(token);
    await o.page.getByRole('button', { name: 'Connect' }).click();
    await o.page.locator('[data-connection="live"]').waitFor();
    assert.equal(await o.page.locator('[data-direction]').count(), 10);
    await second.goto(`${o.api.url}/#token=${token}`);
    await second.locator('[data-connection="live"]').waitFor();
    assert.doesNotMatch(second.url(), /token/, 'the token leaves the address bar');
  } finally {
    await second.close();
    await o.close();
  }
});
