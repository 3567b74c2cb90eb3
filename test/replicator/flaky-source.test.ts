// NODE-TRUST: a source that answers 500/503 to document reads for a while. CouchDB's worker crashes
// the job rather than skip a document it could not read; so must ours: never `completed` with
// documents missing, and the target ends identical to the source (before the fix: `completed`,
// 0 failures, documents missing for good).
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ADMIN, type Json, Nodes, ok, poll, schedDoc, type TestNode, writeDocs } from './helpers.ts';

const N_DOCS = 600;

/** A proxy in front of `upstream` answering 503 to the first `failures` document reads. */
async function flakyProxy(upstream: string, failures: { left: number; served: number }): Promise<Server> {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const docRead = /\/_bulk_get\b/.test(url) || (req.method === 'GET' && /[?&]open_revs=/.test(url));
    if (docRead && failures.left > 0) {
      failures.left--;
      failures.served++;
      req.resume();
      res.writeHead(failures.served % 2 ? 503 : 500, { 'content-type': 'application/json' });
      res.end('{"error":"unavailable","reason":"injected by the test"}');
      return;
    }
    const fwd = request(
      { host: up.hostname, port: up.port, method: req.method, path: url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function revsOf(node: { url: string }, db: string): Promise<Record<string, string>> {
  const all = await ok<Json>('GET', `${node.url}/${db}/_all_docs`);
  return Object.fromEntries(all.rows.map((r: Json) => [r.id, r.value.rev]));
}

describe('a source that fails document reads for a while', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;
  let proxy: Server;
  const failures = { left: 0, served: 0 };

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
    await ok('PUT', `${src.url}/src`);
    await writeDocs(src, 'src', 'doc', N_DOCS);
    proxy = await flakyProxy(src.url, failures);
  });
  after(async () => {
    proxy.close();
    await nodes.closeAll();
  });

  const via = () => `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/src`;
  const repDoc = (db: string, continuous: boolean) => ({
    source: { url: via(), auth: { basic: ADMIN } },
    target: { url: `${tgt.url}/${db}`, auth: { basic: ADMIN } },
    create_target: true,
    continuous,
    retries_per_request: 1,
    worker_batch_size: 100,
  });

  for (const continuous of [false, true]) {
    const kind = continuous ? 'continuous' : 'one-shot';
    it(`${kind}: the job crashes or retries, never skips a document; the target ends identical`, async () => {
      const db = `tgt_${continuous ? 'c' : 'o'}`;
      failures.left = 40;
      failures.served = 0;
      await ok('PUT', `${tgt.url}/_replicator/${db}`, repDoc(db, continuous));
      const want = await revsOf(src, 'src');
      const states: string[] = [];
      await poll(
        `${kind}: the target holds every source doc`,
        async () => {
          const d = await schedDoc(tgt, db);
          if (d?.state) states.push(d.state);
          // a one-shot job may only complete once every document is there
          if (d?.state === 'completed') {
            const have = await revsOf(tgt, db);
            assert.deepEqual(have, want, 'completed with documents missing');
            return true;
          }
          if (!continuous) return false;
          const info = await http200(`${tgt.url}/${db}`);
          return info?.doc_count === N_DOCS;
        },
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      assert.ok(failures.served >= 40, 'the faults were really served');
      assert.deepEqual(await revsOf(tgt, db), want);
      const d = await schedDoc(tgt, db);
      assert.equal(d.info?.doc_write_failures ?? 0, 0);
    });
  }
});

async function http200(url: string): Promise<Json | undefined> {
  try {
    return await ok('GET', url);
  } catch {
    return undefined;
  }
}
