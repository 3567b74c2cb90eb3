// Runs one conformance case against the target: fresh database, setup, request, expectations.
import assert from 'node:assert/strict';
import type { Case, Ctx, Expect, Req } from './cases/types.ts';
import {
  assertJson,
  createDb,
  dropDb,
  getTarget,
  ok,
  onCleanup,
  type Res,
  request,
  type Target,
  uniqueName,
  withMaxDocumentSize,
} from './harness.ts';

function makeCtx(target: Target, db: string): Ctx {
  const fill = (p: string) => p.replaceAll('{db}', db);
  return {
    target,
    db,
    vars: {},
    http: (method, path, opts) => request(target, method, fill(path), opts),
    ok: (method, path, opts) => ok(target, method, fill(path), opts),
  };
}

function describeRes(res: Res): string {
  const body = res.text.length > 1500 ? `${res.text.slice(0, 1500)}…` : res.text;
  return `got ${res.status} ${String(res.headers['content-type'] ?? '')}: ${body}`;
}

function matches(actual: string | undefined, want: string | RegExp): boolean {
  if (actual === undefined) return false;
  return typeof want === 'string' ? actual === want : want.test(actual);
}

export function checkExpect(res: Res, exp: Expect, ctx: Ctx): void | Promise<void> {
  if (Array.isArray(exp.status))
    assert.ok(exp.status.includes(res.status), `status (want ${exp.status.join('|')}): ${describeRes(res)}`);
  else assert.equal(res.status, exp.status, `status: ${describeRes(res)}`);
  if (exp.contentType !== undefined) {
    const ct = res.headers['content-type'];
    assert.ok(
      matches(ct, exp.contentType),
      `Content-Type ${JSON.stringify(ct)}, want ${String(exp.contentType)}`,
    );
  }
  for (const [name, want] of Object.entries(exp.headers ?? {})) {
    const raw = res.headers[name];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (want === null)
      assert.equal(value, undefined, `header ${name} must be absent, got ${JSON.stringify(value)}`);
    else assert.ok(matches(value, want), `header ${name}: ${JSON.stringify(value)}, want ${String(want)}`);
  }
  if (exp.text !== undefined) assert.equal(res.text, exp.text, 'raw body');
  if (exp.body !== undefined || exp.keys || exp.keySet) {
    assert.notEqual(res.json, undefined, `body is not JSON: ${describeRes(res)}`);
  }
  if (exp.body !== undefined) {
    if (exp.keyOrder === false) assert.deepStrictEqual(res.json, exp.body);
    else assertJson(res.json, exp.body);
  }
  if (exp.keys) assert.deepEqual(Object.keys(res.json as object), exp.keys, 'top-level keys (in order)');
  if (exp.keySet) {
    assert.deepEqual(Object.keys(res.json as object).sort(), [...exp.keySet].sort(), 'top-level key set');
  }
  return exp.check?.(res, ctx);
}

async function send(ctx: Ctx, req: Req): Promise<Res> {
  const opts: Parameters<Ctx['http']>[2] = {};
  if (req.body !== undefined) opts.body = req.body;
  if (req.headers) opts.headers = req.headers;
  if (req.auth) opts.auth = req.auth;
  if (req.maxMs !== undefined) opts.maxMs = req.maxMs;
  if (req.until) opts.until = req.until;
  return ctx.http(req.method, req.path, opts);
}

export async function runCase(c: Case): Promise<void> {
  const where = c.sample ? ` [CouchDB sample: ${c.sample}]` : ' [no sample; CouchDB behaviour]';
  let step = 'setup';
  try {
    const target = await getTarget(c.maxDocumentSize ? 'smallDocs' : 'default');
    const db = uniqueName();
    if (c.db === 'none') onCleanup(() => dropDb(target, db));
    else await createDb(target, db);
    const ctx = makeCtx(target, db);
    const body = async () => {
      await c.setup?.(ctx);
      const req = typeof c.request === 'function' ? c.request(ctx) : c.request;
      step = `${req.method} ${req.path.replaceAll('{db}', db)}`;
      const res = await send(ctx, req);
      const exp = typeof c.expect === 'function' ? c.expect(ctx) : c.expect;
      await checkExpect(res, exp, ctx);
    };
    if (c.maxDocumentSize) await withMaxDocumentSize(target, c.maxDocumentSize, body);
    else await body();
  } catch (e) {
    // Assertion errors are this case's own: they get the request they are about. Other errors (transport,
    // a node that failed to start) may be shared between cases: wrap them instead of editing them.
    if (e instanceof assert.AssertionError) {
      e.message = `${step}: ${e.message}${where}`;
      throw e;
    }
    throw new Error(`${e instanceof Error ? e.message : String(e)}${where}`, { cause: e });
  }
}
