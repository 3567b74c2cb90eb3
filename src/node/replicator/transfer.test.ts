// copyBatch against a peer answering wrong-shaped JSON with a 2xx (a broken gateway or server, what
// test/chaos's bad-peer front does end to end): every such answer crashes the job with a
// `bad_response` reason naming the request, and nothing counts as written. A batch that returned
// quietly would let the runner move `through_seq` and checkpoint past documents the target never
// got (found by test/chaos/peer.test.ts: 33 acknowledged writes lost to a `_bulk_docs` answered `{}`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Peer, type PeerResponse, RepCrash } from './peer.ts';
import { parseRepDoc } from './rep-doc.ts';
import type { Job } from './scheduler.ts';
import { emptyStats } from './stats.ts';
import { copyBatch } from './transfer.ts';

type Answer = (method: string, path: string) => PeerResponse | undefined;

/** A peer answering from `answer` (a broken one: the shapes are what a garbage gateway could say). */
function peer(url: string, answer: Answer): Peer & { calls: string[] } {
  const calls: string[] = [];
  const json = async <T>(method: string, path: string) => {
    calls.push(`${method} ${path}`);
    const r = answer(method, path);
    if (!r) throw new Error(`unexpected ${method} ${path}`);
    return r as PeerResponse<T>;
  };
  const raw = async (method: string, path: string) => {
    calls.push(`${method} ${path} (raw)`);
    const r = answer(method, path);
    if (!r) throw new Error(`unexpected raw ${method} ${path}`);
    return r as PeerResponse<Buffer>;
  };
  return {
    url,
    calls,
    json,
    raw,
    welcome: () => Promise.reject(new Error('no welcome')),
    close: async () => {},
  };
}

const ok = (body: unknown, status = 200): PeerResponse => ({ status, headers: {}, body });
const doc = { _id: 'a', _rev: '1-abc', v: 1, _revisions: { start: 1, ids: ['abc'] } };
const rows = [{ seq: 1, id: 'a', changes: [{ rev: '1-abc' }] }];

function job(useBulkGet = true): Job {
  const spec = parseRepDoc({
    source: 'http://127.0.0.1:1/s',
    target: 'http://127.0.0.1:2/t',
    use_bulk_get: useBulkGet,
  });
  return { spec, stats: emptyStats() } as unknown as Job;
}

const source = (answer?: Answer) =>
  peer(
    'http://127.0.0.1:1/s/',
    answer ??
      ((_m, p) => (p === '_bulk_get' ? ok({ results: [{ id: 'a', docs: [{ ok: doc }] }] }) : undefined)),
  );

async function crash(p: Promise<void>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RepCrash, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('copyBatch: a peer answering wrong-shaped JSON crashes the job, never skips a doc', () => {
  it('_bulk_docs answered 201 with an object, not the per-doc array: bad_response, nothing written', async () => {
    const j = job();
    const target = peer('http://127.0.0.1:2/t/', (_m, p) =>
      p === '_revs_diff'
        ? ok({ a: { missing: ['1-abc'] } })
        : p === '_bulk_docs'
          ? ok({ ok: true }, 201)
          : undefined,
    );
    await crash(copyBatch(j, source(), target, rows), /^bad_response: POST .*_bulk_docs/);
    assert.equal(j.stats.docs_written, 0);
  });

  it('_revs_diff answered with an array, or an entry without `missing`: bad_response', async () => {
    for (const body of [[['unexpected']], { a: { nothing: true } }, { a: { missing: 'x' } }]) {
      const target = peer('http://127.0.0.1:2/t/', (_m, p) => (p === '_revs_diff' ? ok(body) : undefined));
      await crash(copyBatch(job(), source(), target, rows), /^bad_response: POST .*_revs_diff/);
    }
  });

  it('open_revs answered with an empty list or an object: the revision is not skipped', async () => {
    for (const body of [[], { unexpected: true }, [{ neither: 1 }]]) {
      const src = source((_m, p) => (p === 'a' ? ok(body) : undefined));
      const target = peer('http://127.0.0.1:2/t/', (_m, p) =>
        p === '_revs_diff' ? ok({ a: { missing: ['1-abc'] } }) : p === '_bulk_docs' ? ok([], 201) : undefined,
      );
      await crash(copyBatch(job(false), src, target, rows), /^(bad_response|doc_read_failed): GET .*a/);
      assert.ok(!target.calls.includes('POST _bulk_docs'), `nothing written for ${JSON.stringify(body)}`);
    }
  });

  it('a revision with attachments read as an empty list or an empty multipart: not skipped', async () => {
    const stubbed = {
      ...doc,
      _attachments: { 'a.txt': { stub: true, content_type: 'text/plain', length: 1 } },
    };
    const answers: Array<PeerResponse<Buffer>> = [
      { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('[]') },
      { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('<html>') },
      {
        status: 200,
        headers: { 'content-type': 'multipart/mixed; boundary="b"' },
        body: Buffer.from('--b--'),
      },
    ];
    for (const body of answers) {
      const src = source((_m, p) =>
        p === '_bulk_get'
          ? ok({ results: [{ id: 'a', docs: [{ ok: stubbed }] }] })
          : p === 'a'
            ? body
            : undefined,
      );
      const target = peer('http://127.0.0.1:2/t/', (_m, p) =>
        p === '_revs_diff' ? ok({ a: { missing: ['1-abc'] } }) : p === '_bulk_docs' ? ok([], 201) : undefined,
      );
      await crash(copyBatch(job(), src, target, rows), /^bad_response: GET .*a answered/);
      assert.ok(!target.calls.some((c) => c.startsWith('POST _bulk_docs') || c.startsWith('PUT')));
    }
  });

  it('a well-shaped exchange copies the doc (the stub peer itself is sound)', async () => {
    const j = job();
    const target = peer('http://127.0.0.1:2/t/', (_m, p) =>
      p === '_revs_diff' ? ok({ a: { missing: ['1-abc'] } }) : p === '_bulk_docs' ? ok([], 201) : undefined,
    );
    await copyBatch(j, source(), target, rows);
    assert.equal(j.stats.docs_written, 1);
  });
});
