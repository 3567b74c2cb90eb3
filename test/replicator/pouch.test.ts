// The node's replicator against PouchDB's express-pouchdb (a replication protocol implementation nobody
// here wrote) as source and as target: one-shot `_replicator` jobs, including attachments (gzip-stored
// text and binary), keep revision ids and attachment bytes intact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningPeerServer, startExpressPouch } from '../interop/peers.ts';
import { endpoint, http, Nodes, ok, type TestNode, waitState } from './helpers.ts';

const md5 = (b: Buffer) => `md5-${createHash('md5').update(b).digest('base64')}`;
const TEXT = Buffer.from('a compressible line of text\n'.repeat(200));
const BIN = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));

function docsWithAttachments(prefix: string, n: number) {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) docs.push({ _id: `${prefix}-plain-${i}`, i, nested: { a: [1, 2.5, 'x'] } });
  for (let i = 0; i < 3; i++)
    docs.push({
      _id: `${prefix}-att-${i}`,
      i,
      _attachments: {
        'notes.txt': { content_type: 'text/plain', data: TEXT.toString('base64') },
        'blob.bin': { content_type: 'application/octet-stream', data: BIN.toString('base64') },
      },
    });
  return docs;
}

/** Every doc id -> winning rev, and the bytes of each attachment, read back through plain JSON. */
async function snapshot(base: string, db: string, auth: boolean) {
  const a = auth ? undefined : null;
  const all = await ok('GET', `${base}/${db}/_all_docs`, undefined, [200], a);
  const revs = new Map<string, string>();
  const atts = new Map<string, string>();
  for (const row of all.rows as Array<{ id: string; value: { rev: string } }>) {
    revs.set(row.id, row.value.rev);
    if (!row.id.includes('-att-')) continue;
    const d = await ok('GET', `${base}/${db}/${row.id}?attachments=true`, undefined, [200], a);
    for (const [name, att] of Object.entries(d._attachments as Record<string, { data: string }>))
      atts.set(`${row.id}/${name}`, md5(Buffer.from(att.data, 'base64')));
  }
  return { revs, atts };
}

describe('replication with express-pouchdb as a remote peer', () => {
  const nodes = new Nodes();
  let node: TestNode;
  let pouch: RunningPeerServer;

  before(async () => {
    [node, pouch] = await Promise.all([nodes.start(), startExpressPouch()]);
  });
  after(async () => {
    await nodes.closeAll();
    await pouch?.close();
  });

  it('node -> express-pouchdb (one-shot, attachments)', async () => {
    await ok('PUT', `${node.url}/from-node`);
    await ok('POST', `${node.url}/from-node/_bulk_docs`, { docs: docsWithAttachments('n', 40) });
    await ok('PUT', `${pouch.url}/to-pouch`, undefined, [201], null);
    await ok('PUT', `${node.url}/_replicator/node-to-pouch`, {
      source: endpoint(node, 'from-node'),
      target: { url: `${pouch.url}/to-pouch` },
    });
    const d = await waitState(node, 'node-to-pouch', 'completed', undefined, 20_000);
    assert.equal(d.info.docs_written, 43);
    assert.equal(d.info.doc_write_failures, 0);
    const src = await snapshot(node.url, 'from-node', true);
    const dst = await snapshot(pouch.url, 'to-pouch', false);
    assert.deepEqual(dst.revs, src.revs, 'same docs, same revision ids');
    assert.equal(src.atts.size, 6);
    assert.deepEqual(dst.atts, src.atts, 'attachment bytes identical (gzip-stored text decoded for PouchDB)');
    for (const [k, v] of dst.atts) assert.equal(v, md5(k.endsWith('.txt') ? TEXT : BIN), k);
  });

  it('express-pouchdb -> node (one-shot, attachments), then an incremental run resumes', async () => {
    await ok('PUT', `${pouch.url}/from-pouch`, undefined, [201], null);
    await ok(
      'POST',
      `${pouch.url}/from-pouch/_bulk_docs`,
      { docs: docsWithAttachments('p', 40) },
      [201],
      null,
    );
    const rep = {
      source: { url: `${pouch.url}/from-pouch` },
      target: endpoint(node, 'to-node'),
      create_target: true,
    };
    await ok('PUT', `${node.url}/_replicator/pouch-to-node`, rep);
    const d = await waitState(node, 'pouch-to-node', 'completed', undefined, 20_000);
    assert.equal(d.info.docs_written, 43);
    const src = await snapshot(pouch.url, 'from-pouch', false);
    const dst = await snapshot(node.url, 'to-node', true);
    assert.deepEqual(dst.revs, src.revs);
    assert.deepEqual(dst.atts, src.atts);
    for (const [k, v] of dst.atts) assert.equal(v, md5(k.endsWith('.txt') ? TEXT : BIN), k);

    // an update and a delete on the PouchDB side, replicated by a second one-shot run
    const doc = await ok('GET', `${pouch.url}/from-pouch/p-plain-0`, undefined, [200], null);
    await ok('PUT', `${pouch.url}/from-pouch/p-plain-0`, { ...doc, changed: true }, [201], null);
    const gone = await ok('GET', `${pouch.url}/from-pouch/p-plain-1`, undefined, [200], null);
    await ok('DELETE', `${pouch.url}/from-pouch/p-plain-1?rev=${gone._rev}`, undefined, [200], null);
    const r = await http('POST', `${node.url}/_replicate`, rep);
    assert.equal(r.status, 200);
    // resumed from the checkpoint on both sides: a second session starting where the first ended, and
    // (history stats are cumulative, as CouchDB's) only the 2 new changes checked and written
    const [now, prev] = r.body.history;
    assert.equal(r.body.history.length, 2);
    assert.equal(now.start_last_seq, prev.recorded_seq);
    assert.equal(now.missing_checked - prev.missing_checked, 2);
    assert.equal(now.docs_written - prev.docs_written, 2);
    assert.equal((await ok('GET', `${node.url}/to-node/p-plain-0`)).changed, true);
    assert.equal((await http('GET', `${node.url}/to-node/p-plain-1`)).status, 404);
  });
});
