// The API over real HTTP on 127.0.0.1, serving the in-memory controller (testing.ts) whose status
// is a StatusReport recorded on the seed mesh.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { userError } from '../core/errors.ts';
import { type RunningApi, startApi } from './server.ts';
import { FakeController } from './testing.ts';

const web = mkdtempSync(join(tmpdir(), 'couchmesh-web-'));
mkdirSync(join(web, 'assets'));
writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash</title>');
writeFileSync(join(web, 'assets', 'app-1234.js'), 'export {};');
writeFileSync(join(tmpdir(), 'couchmesh-secret.txt'), 'secret');

const fake = new FakeController();
const logged: string[] = [];
let api: RunningApi;

before(async () => {
  api = await startApi(fake, { webRoot: web, onRequest: (r) => logged.push(JSON.stringify(r)) });
});
after(async () => {
  await api.close();
  rmSync(web, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${api.url}${path}`);
/** A JSON body, loosely typed for assertions (the shapes are view.ts's). */
// biome-ignore lint/suspicious/noExplicitAny: assertions walk JSON bodies of several shapes
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const post = (path: string, body?: unknown, type = 'application/json') =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A request with a raw path and Host header (fetch normalises both). */
function raw(path: string, host?: string): Promise<{ status: number; body: string }> {
  const u = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('reads', () => {
  test('mesh, nodes and links of the seed mesh, each with its recorded status row', async () => {
    const mesh = await json(get('/api/v1/mesh'));
    assert.equal(mesh.mesh, 'seed');
    assert.equal(mesh.nodes, 4);
    assert.equal(mesh.directions, 10);
    assert.equal(mesh.summary.by_state.running, 10);
    const nodes = (await json(get('/api/v1/nodes'))).nodes;
    assert.deepEqual(
      nodes.map((n: { name: string; region: string; status: { reachable: boolean } }) => [
        n.name,
        n.region,
        n.status.reachable,
      ]),
      [
        ['n1', 'site-a', true],
        ['n2', 'site-a', true],
        ['n3', 'site-b', true],
        ['n4', 'site-b', true],
      ],
    );
    const links = (await json(get('/api/v1/links'))).links;
    assert.equal(links.length, 10);
    for (const l of links) assert.equal(l.status.state, 'running', l.direction);
  });

  test('every other read answers JSON', async () => {
    for (const [path, key] of [
      ['findings', 'findings'],
      ['routes', 'routes'],
      ['conflicts', 'conflicts'],
      ['resolutions', 'resolutions'],
      ['actions', 'actions'],
      ['plan', 'drift'],
      ['mermaid', 'mermaid'],
    ] as const) {
      const res = await get(`/api/v1/${path}`);
      assert.equal(res.status, 200, path);
      assert.ok(key in (await json(res)), path);
    }
    const routes = (await json(get('/api/v1/routes'))).routes;
    assert.deepEqual(routes[0], {
      direction: 'n1->n2',
      db: 'sensors',
      path: ['n1', 'n2'],
      relayed: false,
      mode: null,
      reason: null,
      since: null,
      degraded: false,
    });
    const snap = await json(get('/api/v1/snapshot'));
    assert.equal(snap.generation, fake.generation);
    assert.match((await json(get('/api/v1/mermaid'))).mermaid, /^flowchart LR/);
  });

  test('/healthz, /metrics (the controller registry and the API counters)', async () => {
    assert.deepEqual(await json(get('/healthz')), { ok: true, generation: fake.generation });
    const res = await get('/metrics');
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /couchmesh_fake_generation \d+\n/);
    assert.match(text, /couchmesh_api_requests_total\{route="\/api\/v1\/mesh",status="2xx"\} \d+/);
  });

  test('an unknown API route is a JSON 404 and is counted', async () => {
    const res = await get('/api/v1/nope');
    assert.equal(res.status, 404);
    assert.deepEqual(await json(res), { error: 'not_found', reason: 'no route GET /api/v1/nope' });
    assert.match(
      await (await get('/metrics')).text(),
      /couchmesh_api_errors_total\{error="not_found"\} [1-9]/,
    );
  });
});

describe('commands', () => {
  test('without a JSON body: 415; without confirm: 400 confirm_required; nothing is run', async () => {
    const before = fake.calls.length;
    const r1 = await post('/api/v1/directions/n1->n2/sensors/reconcile', undefined, 'text/plain');
    assert.equal(r1.status, 415);
    assert.equal((await json(r1)).error, 'unsupported_media_type');
    for (const body of [{}, { confirm: 'yes' }, null]) {
      const r = await post('/api/v1/resolutions/sensors/a1/undo', body);
      assert.equal(r.status, 400);
      const e = await json(r);
      assert.equal(e.error, 'confirm_required');
      assert.match(e.reason, /\{"confirm": true\}/);
    }
    assert.equal(fake.calls.length, before);
  });

  test('with {confirm: true} each command runs once and answers its action', async () => {
    const before = fake.calls.length;
    const reset = await post(`/api/v1/directions/${encodeURIComponent('n3->n4')}/sensors/reset-checkpoint`, {
      confirm: true,
    });
    assert.equal(reset.status, 200);
    assert.equal((await json(reset)).action.kind, 'reset-checkpoints');
    await post('/api/v1/directions/n1->n2/sensors/reconcile', { confirm: true });
    await post('/api/v1/resolutions/sensors/audit-7/undo', { confirm: true });
    assert.deepEqual(fake.calls.slice(before), [
      { command: 'resetCheckpoint', args: ['n3->n4', 'sensors'] },
      { command: 'reconcile', args: ['n1->n2', 'sensors'] },
      { command: 'undoResolution', args: ['sensors', 'audit-7'] },
    ]);
    assert.equal((await json(get('/api/v1/actions'))).actions.length >= 3, true);
  });

  test("a command's user error keeps its code and hint; a bug says nothing of itself", async () => {
    fake.failNext = userError('E_NO_SUCH_DIRECTION', 'no direction n9->n1', 'see couchmesh status');
    const r = await post('/api/v1/directions/n9->n1/sensors/reconcile', { confirm: true });
    assert.equal(r.status, 404);
    assert.deepEqual(await json(r), {
      error: 'not_found',
      reason: 'no direction n9->n1',
      code: 'E_NO_SUCH_DIRECTION',
      hint: 'see couchmesh status',
    });
    fake.failNext = new Error('secret stack detail');
    const b = await post('/api/v1/directions/n1->n2/sensors/reconcile', { confirm: true });
    assert.equal(b.status, 500);
    const body = await b.text();
    assert.equal(JSON.parse(body).error, 'internal');
    assert.doesNotMatch(body, /secret stack detail/);
  });
});

describe('the dashboard files and the loopback guard', () => {
  test('index.html (no-cache), hashed assets (immutable), unknown paths fall back to index.html', async () => {
    const index = await get('/');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await index.text(), /<title>dash/);
    const asset = await get('/assets/app-1234.js');
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.match(await (await get('/links/n1')).text(), /<title>dash/);
  });

  test('no path leaves the web root', async () => {
    for (const p of [
      '/../couchmesh-secret.txt',
      '/%2e%2e/couchmesh-secret.txt',
      '/..%2fcouchmesh-secret.txt',
    ]) {
      const r = await raw(p);
      assert.doesNotMatch(r.body, /^secret/, p);
    }
  });

  test('a loopback API refuses requests addressed to another name (DNS rebinding)', async () => {
    const r = await raw('/api/v1/mesh', 'evil.example:8080');
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).error, 'forbidden_host');
    assert.equal((await raw('/api/v1/mesh', 'localhost:1')).status, 200);
  });

  test('the request log names routes, never headers', () => {
    assert.ok(logged.some((l) => l.includes('"/api/v1/mesh"')));
  });
});
