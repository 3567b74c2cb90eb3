// NODE-TRUST: a `_bulk_get` that answers 200 with an error for one revision. couch_replicator_worker
// fetches such revisions again with open_revs; a doc with two conflict leaves where only one comes
// back must still get both on the target (before the fix the errored leaf was skipped, the job
// `completed` with 0 failures and checkpointed past it).
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { ADMIN, type Json, Nodes, ok, poll, schedDoc, type TestNode } from './helpers.ts';

const LEAF_A = '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const LEAF_B = '1-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

/** A proxy in front of `upstream` that turns `_bulk_get`'s LEAF_B into a per-revision error. */
async function erroringBulkGet(upstream: string, seen: { errors: number }): Promise<Server> {
  const up = new URL(upstream);
  const rewrite = (text: string) => {
    const body = JSON.parse(text) as { results: Array<{ id: string; docs: Json[] }> };
    for (const x of body.results)
      for (const d of x.docs)
        if (d.ok?._rev === LEAF_B) {
          seen.errors++;
          d.error = { id: x.id, rev: LEAF_B, error: 'unknown_error', reason: 'injected by the test' };
          delete d.ok;
        }
    return JSON.stringify(body);
  };
  const server = createServer((req, res) => {
    const opts = {
      host: up.hostname,
      port: up.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    };
    const fwd = request(opts, (r) => {
      if (!/\/_bulk_get\b/.test(req.url ?? '') || r.statusCode !== 200) {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(rewrite(Buffer.concat(chunks).toString('utf8')));
      });
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const nodes = new Nodes();
let src: TestNode;
let tgt: TestNode;
let proxy: Server;
const seen = { errors: 0 };

before(async () => {
  src = await nodes.start();
  tgt = await nodes.start();
  await ok('PUT', `${src.url}/src`);
  await ok('POST', `${src.url}/src/_bulk_docs`, {
    new_edits: false,
    docs: [
      { _id: 'c', _rev: LEAF_A, v: 1 },
      { _id: 'c', _rev: LEAF_B, v: 2 },
    ],
  });
  proxy = await erroringBulkGet(src.url, seen);
});
after(async () => {
  proxy.close();
  await nodes.closeAll();
});

it('a _bulk_get error for one conflict leaf falls back to open_revs: both leaves reach the target', async () => {
  const via = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/src`;
  await ok('PUT', `${tgt.url}/_replicator/partial`, {
    source: { url: via, auth: { basic: ADMIN } },
    target: { url: `${tgt.url}/tgt`, auth: { basic: ADMIN } },
    create_target: true,
  });
  const d = await poll('the one-shot job completes', async () => {
    const s = await schedDoc(tgt, 'partial');
    return s?.state === 'completed' ? s : undefined;
  });
  assert.ok(seen.errors > 0, 'the per-revision error was really served');
  const leaves = await ok<Json[]>('GET', `${tgt.url}/tgt/c?open_revs=all`);
  assert.deepEqual(leaves.map((l) => l.ok?._rev).sort(), [LEAF_A, LEAF_B]);
  assert.equal(d.info?.doc_write_failures ?? 0, 0);
});
