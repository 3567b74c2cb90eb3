// NODE-TRUST: one request cannot make the node's memory grow with what the client sends. Bodies 50x
// over `[couchdb] max_document_size` and `[chttpd] max_http_request_size`, chunked and with a
// Content-Length, authenticated and anonymous, are refused (413 / 401) while the node's RSS grows by
// less than 4x the limit (before: a 500 MB body took the node to ~2 GB before its 413).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';

const MiB = 1024 * 1024;
const DOC_LIMIT = 4 * MiB;
const HTTP_LIMIT = 8 * MiB;
const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;

let child: ChildProcess;
let base: URL;

before(async () => {
  const entry = new URL('../../src/node/index.ts', import.meta.url).href;
  const script = `const { startNode } = await import(${JSON.stringify(entry)});
    const n = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' },
      maxDocumentSize: ${DOC_LIMIT}, maxHttpRequestSize: ${HTTP_LIMIT} });
    process.stdout.write(n.url + '\\n');`;
  child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`node exited ${c}`)));
  });
  base = new URL(url);
  await send('PUT', '/db', { auth: true, total: 0 });
  for (let i = 0; i < 3; i++) await warmUp();
});
after(() => {
  child.kill();
});

const rssBytes = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;

/**
 * Sends `total` bytes of a JSON-ish body in 1 MiB chunks (chunked, or with Content-Length), stopping
 * as soon as the node answers or closes; resolves with the status and body of the answer.
 */
function send(
  method: string,
  path: string,
  o: { auth: boolean; total: number; declare?: boolean },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (o.auth) headers.authorization = AUTH;
    if (o.declare) headers['content-length'] = o.total;
    let answered = false;
    const req = request({ host: base.hostname, port: base.port, method, path, headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    // the node may close while we still write (EPIPE): its answer can still be read, so only a
    // request closed without any answer fails
    let failure: Error | undefined;
    req.on('error', (e) => {
      failure = e;
    });
    req.on('close', () => {
      if (!answered) reject(failure ?? new Error('closed without an answer'));
    });
    const chunk = Buffer.alloc(MiB, 'x');
    let sent = 0;
    const pump = () => {
      while (!answered && sent < o.total) {
        const n = Math.min(MiB, o.total - sent);
        sent += n;
        if (!req.write(n === MiB ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    if (o.total === 0) req.end();
    // with a Content-Length the node must answer from the headers alone: no byte of the body is sent
    else if (o.declare) req.flushHeaders();
    else pump();
  });
}

async function warmUp() {
  await send('PUT', '/db/warm', { auth: true, total: 2 * MiB });
  await send('POST', '/db/_bulk_docs', { auth: true, total: 2 * MiB });
  await send('POST', '/_session', { auth: false, total: 1 * MiB });
}

describe('bodies 50x over a limit', () => {
  const cases = [
    { what: 'a document PUT', method: 'PUT', path: '/db/big', limit: DOC_LIMIT, auth: true, status: 413 },
    {
      what: '_bulk_docs',
      method: 'POST',
      path: '/db/_bulk_docs',
      limit: HTTP_LIMIT,
      auth: true,
      status: 413,
    },
    {
      what: 'an anonymous document PUT',
      method: 'PUT',
      path: '/db/anon',
      limit: DOC_LIMIT,
      auth: false,
      status: 401,
    },
    {
      what: 'an anonymous POST /_session',
      method: 'POST',
      path: '/_session',
      limit: DOC_LIMIT,
      auth: false,
      status: 413,
    },
  ] as const;
  for (const c of cases)
    for (const declare of [false, true])
      test(`${c.what}, ${declare ? 'with Content-Length' : 'chunked'}: ${c.status}, RSS grows < 4x the limit`, async () => {
        const rss0 = rssBytes();
        const r = await send(c.method, c.path, { auth: c.auth, total: 50 * c.limit, declare });
        const grown = rssBytes() - rss0;
        assert.equal(r.status, c.status, r.text);
        assert.ok(
          grown < 4 * c.limit,
          `RSS grew ${(grown / MiB).toFixed(1)} MiB (limit ${c.limit / MiB} MiB)`,
        );
      });
});
