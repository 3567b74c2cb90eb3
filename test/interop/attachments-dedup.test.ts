// NODE-TRUST: attachment bytes are stored under a key of the bytes actually stored. PouchDB's
// replicator pushes identity bytes carrying the digest a CouchDB-like source computed over their
// gzip form; the same bytes written later by `PUT` (gzip-stored, same digest) must not collide with
// them: every GET returns the original bytes, in either order (before: 500 "incorrect header check",
// or raw gzip bytes served as the content).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startNode } from '../../src/node/index.ts';
import { memoryDb, NODE_ADMIN, remoteDb, toBuffer } from './peers.ts';
import { replicateOnce } from './scenarios.ts';

const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const TEXT = Buffer.from('sensor reading, '.repeat(64));
const BIN = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

let node: Awaited<ReturnType<typeof startNode>>;
before(async () => {
  node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
});
after(() => node.close());

async function req(method: string, path: string, body?: Buffer | string, type = 'application/json') {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': type, accept: 'application/json' },
    body,
  });
  return { status: res.status, buf: Buffer.from(await res.arrayBuffer()) };
}

/** Every read path of one attachment returns `bytes`. */
async function assertBytes(db: string, id: string, name: string, bytes: Buffer) {
  const raw = await req('GET', `/${db}/${id}/${name}`);
  assert.equal(raw.status, 200, `${db}/${id}/${name}: ${raw.buf.toString().slice(0, 200)}`);
  assert.ok(raw.buf.equals(bytes), `${db}/${id}/${name}: raw GET returned other bytes`);
  const inline = await req('GET', `/${db}/${id}?attachments=true`);
  assert.equal(inline.status, 200);
  const data = JSON.parse(inline.buf.toString())._attachments[name].data;
  assert.ok(Buffer.from(data, 'base64').equals(bytes), `${db}/${id}/${name}: inline data differs`);
  const pouch = remoteDb(node.url, db, NODE_ADMIN);
  assert.ok((await toBuffer(await pouch.getAttachment(id, name))).equals(bytes), 'PouchDB read differs');
}

/** Source db with both attachments PUT interactively (text/plain is gzip-stored, as CouchDB does). */
async function seed(db: string) {
  await req('PUT', `/${db}`);
  for (const [name, type, bytes] of [
    ['t.txt', 'text/plain', TEXT],
    ['b.bin', 'application/octet-stream', BIN],
  ] as const) {
    const r = await req('PUT', `/${db}/orig-${name.replace('.', '-')}/${name}`, bytes, type);
    assert.equal(r.status, 201);
  }
}

describe('PouchDB-replicated attachments and the same bytes PUT on another doc', () => {
  for (const order of ['replicated first', 'PUT first'] as const) {
    test(order, async () => {
      const tag = order === 'PUT first' ? 'p' : 'r';
      await seed(`src${tag}`);
      // source -> PouchDB (memory) -> a second db on the node: PouchDB pushes identity bytes
      const mem = memoryDb(`dedup-${tag}`);
      await replicateOnce(remoteDb(node.url, `src${tag}`, NODE_ADMIN), mem, 'source -> pouch');
      await req('PUT', `/dst${tag}`);
      const putSame = async () => {
        assert.equal((await req('PUT', `/dst${tag}/again-t/t.txt`, TEXT, 'text/plain')).status, 201);
        assert.equal(
          (await req('PUT', `/dst${tag}/again-b/b.bin`, BIN, 'application/octet-stream')).status,
          201,
        );
        const inlineDoc = JSON.stringify({
          _attachments: { 't.txt': { content_type: 'text/plain', data: TEXT.toString('base64') } },
        });
        assert.equal((await req('PUT', `/dst${tag}/again-inline`, inlineDoc)).status, 201);
      };
      if (order === 'PUT first') await putSame();
      await replicateOnce(mem, remoteDb(node.url, `dst${tag}`, NODE_ADMIN), 'pouch -> node');
      if (order === 'replicated first') await putSame();
      for (const db of [`src${tag}`, `dst${tag}`]) {
        await assertBytes(db, 'orig-t-txt', 't.txt', TEXT);
        await assertBytes(db, 'orig-b-bin', 'b.bin', BIN);
      }
      await assertBytes(`dst${tag}`, 'again-t', 't.txt', TEXT);
      await assertBytes(`dst${tag}`, 'again-b', 'b.bin', BIN);
      await assertBytes(`dst${tag}`, 'again-inline', 't.txt', TEXT);
    });
  }
});

test('identity bytes replicated with the digest of their gzip form, then the same bytes PUT', async () => {
  // the exact wire form of the issue: `_bulk_docs new_edits=false`, `data` in identity form and the
  // `digest` a CouchDB source computed over the gzip bytes it stores
  await req('PUT', '/wire');
  const src = JSON.parse((await req('GET', '/srcr/orig-t-txt')).buf.toString());
  const gzipDigest = src._attachments['t.txt'].digest;
  const doc = {
    _id: 'pushed',
    _rev: '1-0123456789abcdef0123456789abcdef',
    _attachments: {
      't.txt': { content_type: 'text/plain', digest: gzipDigest, revpos: 1, data: TEXT.toString('base64') },
    },
  };
  const bulk = await req('POST', '/wire/_bulk_docs', JSON.stringify({ docs: [doc], new_edits: false }));
  assert.equal(bulk.status, 201);
  assert.equal((await req('PUT', '/wire/put-after/t.txt', TEXT, 'text/plain')).status, 201);
  await assertBytes('wire', 'pushed', 't.txt', TEXT);
  await assertBytes('wire', 'put-after', 't.txt', TEXT);
  const pushed = JSON.parse((await req('GET', '/wire/pushed')).buf.toString());
  assert.equal(
    pushed._attachments['t.txt'].digest,
    gzipDigest,
    'the sender`s digest is kept (rev ids hash it)',
  );
});
