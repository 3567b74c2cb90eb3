// Replication scenarios driven by PouchDB 9's replicator, written against the PouchDatabase interface so the
// same scenario runs against express-pouchdb (peers.test.ts, proving the harness and the expectations) and
// against the embedded node (pouchdb-replication.test.ts). All data is deterministic; counts are exact.
import assert from 'node:assert/strict';
import {
  type AttachmentStub,
  describeError,
  md5Digest,
  type OpenRevsResult,
  type PouchDatabase,
  PouchDB,
  type PouchDoc,
  type Replication,
  type ReplicationOptions,
  type ReplicationResult,
  toBuffer,
  waitFor,
  within,
} from './peers.ts';

const REPLICATION_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------------------
// Replication helpers

/**
 * One-shot `PouchDB.replicate(source, target)`; fails the test with a readable message if the replication
 * errors, does not complete, or reports write failures. Returns the result for count assertions.
 */
export async function replicateOnce(
  source: PouchDatabase,
  target: PouchDatabase,
  label: string,
  opts: ReplicationOptions = {},
): Promise<ReplicationResult> {
  const rep = PouchDB.replicate(source, target, { retry: false, ...opts });
  let result: ReplicationResult;
  try {
    result = await within(`replication ${label}`, REPLICATION_TIMEOUT_MS, rep);
  } catch (e) {
    rep.cancel();
    throw new Error(`replication ${label} failed: ${describeError(e)}`, { cause: e });
  }
  assert.equal(result.ok, true, `replication ${label}: ok=false, errors ${JSON.stringify(result.errors)}`);
  assert.equal(result.status, 'complete', `replication ${label}: status`);
  assert.equal(
    result.doc_write_failures,
    0,
    `replication ${label}: doc_write_failures, errors ${JSON.stringify(result.errors)}`,
  );
  return result;
}

export interface LiveReplication {
  readonly rep: Replication;
  readonly errors: unknown[];
  /** Resolves when the first 'paused' (caught up) arrives; rejects on 'error'. */
  readonly firstPaused: Promise<void>;
  /** Cancels and waits for the replication to end; returns its final status. */
  stop(): Promise<string>;
}

export function startLive(source: PouchDatabase, target: PouchDatabase, label: string): LiveReplication {
  const rep = PouchDB.replicate(source, target, { live: true, retry: false });
  const errors: unknown[] = [];
  let settled: { status: string } | undefined;
  const done = Promise.resolve(rep).then(
    (r) => {
      settled = { status: r.status };
      return r.status;
    },
    (e: unknown) => {
      errors.push(e);
      settled = { status: 'error' };
      return 'error';
    },
  );
  const firstPaused = new Promise<void>((resolve, reject) => {
    rep.once('paused', (err) =>
      err ? reject(new Error(`${label}: paused with ${describeError(err)}`)) : resolve(),
    );
    rep.once('error', (err) => reject(new Error(`${label}: ${describeError(err)}`)));
  });
  firstPaused.catch(() => {}); // observed by callers; avoid an unhandled rejection if they never look
  return {
    rep,
    errors,
    firstPaused,
    async stop() {
      if (!settled) rep.cancel();
      return within(`${label}: stop live replication`, 10_000, done);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Data helpers

/** Deterministic pseudo-random bytes (LCG), so binary attachments are reproducible. */
export function prngBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function pad(n: number, width = 3): string {
  return String(n).padStart(width, '0');
}

/** `count` plain documents `${prefix}-000`... with varied field types. */
export function plainDocs(prefix: string, count: number): PouchDoc[] {
  return Array.from({ length: count }, (_, i) => ({
    _id: `${prefix}-${pad(i)}`,
    n: i,
    kind: 'plain',
    even: i % 2 === 0,
    text: 'abcdefghijklmnopq'.slice(0, i % 17),
    nested: { list: [i, i * 2, `s${i}`], nil: null, float: i / 8 },
  }));
}

/** The user fields of a doc plus `_id`, `_rev`, `_deleted`; attachments reduced to content_type + digest. */
export function normalize(doc: PouchDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_conflicts' || k === '_revisions' || k === '_revs_info' || k === '_deleted_conflicts')
      continue;
    if (k === '_attachments') {
      const atts: Record<string, unknown> = {};
      for (const [name, att] of Object.entries(v as Record<string, AttachmentStub>)) {
        atts[name] = { content_type: att.content_type, digest: att.digest };
      }
      out[k] = atts;
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** Every live document (winner revisions), normalized, keyed by id. */
export async function snapshot(db: PouchDatabase): Promise<Map<string, Record<string, unknown>>> {
  const res = await db.allDocs({ include_docs: true });
  const out = new Map<string, Record<string, unknown>>();
  for (const row of res.rows) {
    assert.ok(row.doc, `${db.name}: _all_docs?include_docs=true row ${row.id} has no doc`);
    assert.equal(row.value.rev, row.doc._rev, `${db.name}: _all_docs row ${row.id}: value.rev vs doc._rev`);
    out.set(row.id, normalize(row.doc));
  }
  return out;
}

export async function assertSameDocs(
  a: PouchDatabase,
  b: PouchDatabase,
  expectedCount: number,
): Promise<void> {
  const [sa, sb] = await Promise.all([snapshot(a), snapshot(b)]);
  assert.equal(sa.size, expectedCount, `${a.name}: number of live docs`);
  assert.equal(sb.size, expectedCount, `${b.name}: number of live docs`);
  assert.deepEqual([...sb.keys()], [...sa.keys()], `${a.name} vs ${b.name}: doc ids (in _all_docs order)`);
  for (const [id, doc] of sa) assert.deepEqual(sb.get(id), doc, `${a.name} vs ${b.name}: doc ${id}`);
}

export interface Leaf {
  rev: string;
  deleted: boolean;
  body: Record<string, unknown>;
}

/** All leaf revisions of a doc (`open_revs=all`), sorted by rev. */
export async function leaves(db: PouchDatabase, id: string): Promise<Leaf[]> {
  const res: OpenRevsResult = await db.get(id, { open_revs: 'all' });
  assert.ok(Array.isArray(res), `${db.name}: GET ${id}?open_revs=all should return a JSON array`);
  const out = res.map((r) => {
    assert.ok('ok' in r, `${db.name}: ${id} open_revs=all contains a missing entry: ${JSON.stringify(r)}`);
    const { _rev, _deleted, ...rest } = r.ok;
    assert.ok(_rev, `${db.name}: ${id} open_revs=all leaf without _rev`);
    return { rev: _rev, deleted: _deleted === true, body: normalize(rest as PouchDoc) };
  });
  return out.sort((x, y) => cmpRev(x.rev, y.rev));
}

function revPos(rev: string): number {
  return Number.parseInt(rev.slice(0, rev.indexOf('-')), 10);
}

function cmpRev(a: string, b: string): number {
  const d = revPos(a) - revPos(b);
  if (d !== 0) return d;
  const ha = a.slice(a.indexOf('-') + 1);
  const hb = b.slice(b.indexOf('-') + 1);
  return ha < hb ? -1 : ha > hb ? 1 : 0;
}

/** CouchDB's winner: a non-deleted leaf beats a deleted one, then the highest position, then the highest rev id. */
export function expectedWinner(leafRevs: Array<{ rev: string; deleted: boolean }>): string {
  const sorted = [...leafRevs].sort((x, y) => {
    if (x.deleted !== y.deleted) return x.deleted ? 1 : -1;
    return -cmpRev(x.rev, y.rev);
  });
  assert.ok(sorted[0], 'expectedWinner: no leaves');
  return sorted[0].rev;
}

const REV_RE = /^[1-9][0-9]*-[0-9a-f]{32}$/;

export function assertRev(rev: string | undefined, what: string): string {
  assert.ok(
    typeof rev === 'string' && REV_RE.test(rev),
    `${what}: rev ${JSON.stringify(rev)} is not N-<32 hex>`,
  );
  return rev;
}

async function update(db: PouchDatabase, id: string, patch: Record<string, unknown>): Promise<string> {
  const cur = await db.get(id);
  const res = await db.put({ ...cur, ...patch });
  return assertRev(res.rev, `${db.name}: update ${id}`);
}

async function remove(db: PouchDatabase, id: string): Promise<string> {
  const cur = await db.get(id);
  const res = await db.remove(id, cur._rev!);
  return assertRev(res.rev, `${db.name}: delete ${id}`);
}

async function expect404(db: PouchDatabase, id: string, what: string): Promise<void> {
  await assert.rejects(db.get(id), (e: { status?: number }) => {
    assert.equal(e.status, 404, `${what}: expected 404, got ${describeError(e)}`);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Scenarios

/** 300 plain docs: local -> remote, a no-op re-run (checkpoint), remote -> fresh local. */
export async function plainDocsBothWays(local: PouchDatabase, remote: PouchDatabase, fresh: PouchDatabase) {
  const docs = plainDocs('plain', 300);
  const written = await local.bulkDocs(docs);
  assert.equal(written.filter((r) => r.ok).length, 300);

  const r1 = await replicateOnce(local, remote, 'local -> remote');
  assert.equal(r1.docs_read, 300, 'local -> remote docs_read');
  assert.equal(r1.docs_written, 300, 'local -> remote docs_written');
  assert.equal((await remote.info()).doc_count, 300, 'remote doc_count');
  await assertSameDocs(local, remote, 300);

  // Second run starts from the checkpoint (_local/<replication id> on both sides): nothing to do.
  const r2 = await replicateOnce(local, remote, 'local -> remote (again)');
  assert.equal(r2.docs_read, 0, 'second run docs_read (checkpoint not honoured?)');
  assert.equal(r2.docs_written, 0, 'second run docs_written');

  const r3 = await replicateOnce(remote, fresh, 'remote -> fresh local');
  assert.equal(r3.docs_written, 300, 'remote -> fresh local docs_written');
  await assertSameDocs(remote, fresh, 300);

  // An update on the remote side flows back.
  const rev = await update(remote, 'plain-007', { n: 'seven' });
  const r4 = await replicateOnce(remote, local, 'remote -> local (one update)');
  assert.equal(r4.docs_written, 1, 'remote -> local docs_written after one update');
  assert.equal((await local.get('plain-007'))._rev, rev);
  await assertSameDocs(local, remote, 300);
}

/** Deletions in both directions, and a re-creation on top of a deleted doc. */
export async function deletionsBothWays(local: PouchDatabase, remote: PouchDatabase) {
  await local.bulkDocs(plainDocs('del', 60));
  const r1 = await replicateOnce(local, remote, 'local -> remote (seed)');
  assert.equal(r1.docs_written, 60);

  const deletedLocally = new Map<string, string>();
  for (let i = 0; i < 20; i++) {
    const id = `del-${pad(i)}`;
    deletedLocally.set(id, await remove(local, id));
  }
  const r2 = await replicateOnce(local, remote, 'local -> remote (20 deletions)');
  assert.equal(r2.docs_written, 20, 'deletions written to remote');
  assert.equal((await remote.info()).doc_count, 40, 'remote doc_count after 20 deletions');
  for (const [id, rev] of deletedLocally) {
    await expect404(remote, id, `remote GET deleted ${id}`);
    const l = await leaves(remote, id);
    assert.deepEqual(
      l.map((x) => [x.rev, x.deleted]),
      [[rev, true]],
      `remote ${id}: the only leaf is the deletion`,
    );
  }
  const ch = await remote.changes({ since: 0 });
  assert.equal(ch.results.length, 60, 'remote _changes: one row per doc');
  assert.equal(ch.results.filter((c) => c.deleted === true).length, 20, 'remote _changes: deleted:true rows');

  const deletedRemotely = new Map<string, string>();
  for (let i = 20; i < 30; i++) {
    const id = `del-${pad(i)}`;
    deletedRemotely.set(id, await remove(remote, id));
  }
  const r3 = await replicateOnce(remote, local, 'remote -> local (10 deletions)');
  assert.equal(r3.docs_written, 10, 'deletions written to local');
  assert.equal((await local.info()).doc_count, 30, 'local doc_count after 30 deletions');
  for (const [id, rev] of deletedRemotely) {
    await expect404(local, id, `local GET deleted ${id}`);
    assert.deepEqual(
      (await leaves(local, id)).map((x) => [x.rev, x.deleted]),
      [[rev, true]],
    );
  }

  // Re-create del-000 locally: the new revision extends the deleted branch (3-...).
  const recreated = await local.put({ _id: 'del-000', again: true });
  assert.equal(revPos(recreated.rev), 3, 'recreated doc extends the deleted branch');
  const r4 = await replicateOnce(local, remote, 'local -> remote (re-created doc)');
  assert.equal(r4.docs_written, 1);
  assert.equal((await remote.get('del-000'))._rev, recreated.rev);
  await assertSameDocs(local, remote, 31);
}

interface AttFixture {
  content_type: string;
  bytes: Buffer;
}

function attachmentFixtures(): Record<string, Record<string, AttFixture>> {
  const all = Buffer.alloc(1024);
  for (let i = 0; i < all.length; i++) all[i] = i & 0xff;
  return {
    'att-binary': { 'all-bytes.bin': { content_type: 'application/octet-stream', bytes: all } },
    'att-text': { 'hello.txt': { content_type: 'text/plain', bytes: Buffer.from('héllo wörld\n', 'utf8') } },
    'att-multi': {
      'a.bin': { content_type: 'application/octet-stream', bytes: prngBytes(1000, 1) },
      'b.png': { content_type: 'image/png', bytes: prngBytes(65_536, 2) },
      'c d+e.bin': { content_type: 'application/octet-stream', bytes: prngBytes(3, 3) },
    },
    'att-large': { 'large.bin': { content_type: 'application/octet-stream', bytes: prngBytes(300_000, 4) } },
  };
}

async function assertAttachments(
  db: PouchDatabase,
  expected: Record<string, Record<string, AttFixture>>,
  what: string,
): Promise<void> {
  for (const [id, atts] of Object.entries(expected)) {
    const doc = await db.get(id);
    assert.deepEqual(
      Object.keys(doc._attachments ?? {}).sort(),
      Object.keys(atts).sort(),
      `${what}: ${id} attachment names`,
    );
    for (const [name, fx] of Object.entries(atts)) {
      const stub = doc._attachments![name]!;
      assert.equal(stub.stub, true, `${what}: ${id}/${name} is a stub in a plain GET`);
      assert.equal(stub.content_type, fx.content_type, `${what}: ${id}/${name} content_type`);
      assert.equal(stub.digest, md5Digest(fx.bytes), `${what}: ${id}/${name} digest`);
      assert.equal(stub.length, fx.bytes.length, `${what}: ${id}/${name} length`);
      const data = await toBuffer(await db.getAttachment(id, name));
      assert.ok(data.equals(fx.bytes), `${what}: ${id}/${name} bytes differ (got ${data.length} bytes)`);
    }
    // Inline (base64) retrieval: GET /db/id?attachments=true
    const inline = await db.get(id, { attachments: true });
    for (const [name, fx] of Object.entries(atts)) {
      const att = inline._attachments![name]!;
      assert.equal(typeof att.data, 'string', `${what}: ${id}/${name} inline data should be base64`);
      assert.equal(att.data, fx.bytes.toString('base64'), `${what}: ${id}/${name} inline data`);
    }
  }
}

/** Binary attachments created inline (base64), replicated both ways, updated on the remote side. */
export async function attachmentsBothWays(local: PouchDatabase, remote: PouchDatabase, fresh: PouchDatabase) {
  const fx = attachmentFixtures();
  const docs: PouchDoc[] = Object.entries(fx).map(([id, atts]) => ({
    _id: id,
    title: id,
    _attachments: Object.fromEntries(
      Object.entries(atts).map(([name, a]) => [
        name,
        { content_type: a.content_type, data: a.bytes.toString('base64') },
      ]),
    ),
  }));
  const res = await local.bulkDocs(docs);
  assert.equal(res.filter((r) => r.ok).length, docs.length);
  await assertAttachments(local, fx, 'local (source)');

  const r1 = await replicateOnce(local, remote, 'local -> remote (attachments)');
  assert.equal(r1.docs_written, 4);
  await assertAttachments(remote, fx, 'remote');

  // Remote side: standalone attachment PUT, and a body update that keeps the attachment as a stub.
  const binDoc = await remote.get('att-binary');
  const added = prngBytes(5000, 5);
  const put1 = await remote.putAttachment(
    'att-binary',
    'added.bin',
    binDoc._rev!,
    added,
    'application/x-test',
  );
  assertRev(put1.rev, 'remote putAttachment');
  fx['att-binary']!['added.bin'] = { content_type: 'application/x-test', bytes: added };
  const textRev = await update(remote, 'att-text', { title: 'updated on remote' });
  assert.equal(revPos(textRev), 2);

  const r2 = await replicateOnce(remote, local, 'remote -> local (attachment edits)');
  assert.equal(r2.docs_written, 2);
  await assertAttachments(local, fx, 'local after remote edits');
  const [lt, rt] = [await local.get('att-text'), await remote.get('att-text')];
  assert.equal(lt._rev, rt._rev);
  // (PouchDB's local adapters re-stamp revpos on replicated attachments, so only the remote is checked.)
  assert.equal(
    rt._attachments!['hello.txt']!.revpos,
    1,
    'remote: an attachment kept as a stub keeps revpos 1',
  );
  assert.equal(lt.title, 'updated on remote');

  const r3 = await replicateOnce(local, remote, 'local -> remote (nothing new)');
  assert.equal(r3.docs_written, 0);

  const r4 = await replicateOnce(remote, fresh, 'remote -> fresh local (attachments)');
  assert.equal(r4.docs_written, 4);
  await assertAttachments(fresh, fx, 'fresh local');
  await assertSameDocs(local, remote, 4);
  await assertSameDocs(remote, fresh, 4);
}

/**
 * Conflicts made while "disconnected": the same ids edited differently on both sides (equal and unequal
 * generations, edit vs delete, delete vs delete), new ids created independently on both sides, and a
 * three-way conflict (one leaf injected with new_edits=false).
 * Replicates a -> b and b -> a, then checks that both sides have the same leaves (open_revs=all), the same
 * winner (also the one CouchDB's rule picks) and the same `_conflicts`.
 */
export async function conflictsBothWays(a: PouchDatabase, b: PouchDatabase) {
  const base = Array.from({ length: 12 }, (_, i) => ({ _id: `c-${pad(i, 2)}`, i, base: true }));
  await a.bulkDocs(base);
  const seed = await replicateOnce(a, b, 'a -> b (seed)');
  assert.equal(seed.docs_written, 12);

  /** expected leaves per id, gathered from the write responses on each side */
  const expected = new Map<string, Array<{ rev: string; deleted: boolean }>>();
  const leaf = (id: string, rev: string, deleted = false) => {
    expected.set(id, [...(expected.get(id) ?? []), { rev, deleted }]);
  };
  const id = (i: number) => `c-${pad(i, 2)}`;

  // c-00..c-03: one edit on each side (2-x vs 2-y)
  for (let i = 0; i < 4; i++) {
    leaf(id(i), await update(a, id(i), { side: 'a' }));
    leaf(id(i), await update(b, id(i), { side: 'b' }));
  }
  // c-04, c-05: one edit on a, two on b (b's 3- wins)
  for (let i = 4; i < 6; i++) {
    leaf(id(i), await update(a, id(i), { side: 'a' }));
    await update(b, id(i), { side: 'b', step: 1 });
    leaf(id(i), await update(b, id(i), { side: 'b', step: 2 }));
  }
  // c-06, c-07: two edits on a, one on b (a's 3- wins)
  for (let i = 6; i < 8; i++) {
    await update(a, id(i), { side: 'a', step: 1 });
    leaf(id(i), await update(a, id(i), { side: 'a', step: 2 }));
    leaf(id(i), await update(b, id(i), { side: 'b' }));
  }
  // c-08: deleted on a, edited on b; c-09: edited on a, deleted on b (the live leaf wins, no _conflicts)
  leaf(id(8), await remove(a, id(8)), true);
  leaf(id(8), await update(b, id(8), { side: 'b' }));
  leaf(id(9), await update(a, id(9), { side: 'a' }));
  leaf(id(9), await remove(b, id(9)), true);
  // c-10: deleted on both sides (two deleted leaves: the doc stays deleted). Deletion revs are deterministic
  // (an identical DELETE on both sides of a CouchDB or a PouchDB pair gives the same rev), so b's tombstone
  // carries a body to make it a different revision.
  leaf(id(10), await remove(a, id(10)), true);
  leaf(id(10), await update(b, id(10), { _deleted: true, deleted_by: 'b' }), true);
  // c-11: untouched (control)
  leaf(id(11), (await a.get(id(11)))._rev!);
  // n-00..n-03: created independently on both sides (two unrelated 1- revisions)
  for (let i = 0; i < 4; i++) {
    const nid = `n-${pad(i, 2)}`;
    leaf(nid, (await a.put({ _id: nid, side: 'a', i })).rev);
    leaf(nid, (await b.put({ _id: nid, side: 'b', i })).rev);
  }

  // t-00: a three-way conflict; a has its own 1- revision and a sibling written with new_edits=false.
  leaf('t-00', (await a.put({ _id: 't-00', side: 'a' })).rev);
  const sib = await a.bulkDocs([{ _id: 't-00', _rev: '1-0123456789abcdef0123456789abcdef', side: 'a2' }], {
    new_edits: false,
  });
  assert.ok(!sib[0]?.error, `${a.name}: new_edits=false sibling: ${JSON.stringify(sib)}`);
  leaf('t-00', '1-0123456789abcdef0123456789abcdef');
  leaf('t-00', (await b.put({ _id: 't-00', side: 'b' })).rev);

  const ab = await replicateOnce(a, b, 'a -> b (conflicting edits)');
  assert.equal(ab.docs_written, 17, 'a -> b: one missing leaf each for c-00..c-10, n-00..n-03; two for t-00');
  const ba = await replicateOnce(b, a, 'b -> a (conflicting edits)');
  assert.equal(ba.docs_written, 16, 'b -> a: one missing leaf each for c-00..c-10, n-00..n-03, t-00');
  const ab2 = await replicateOnce(a, b, 'a -> b (again)');
  assert.equal(ab2.docs_written, 0);
  const ba2 = await replicateOnce(b, a, 'b -> a (again)');
  assert.equal(ba2.docs_written, 0);

  let conflicted = 0;
  for (const [docId, exp] of expected) {
    const want = [...exp].sort((x, y) => cmpRev(x.rev, y.rev));
    const [la, lb] = await Promise.all([leaves(a, docId), leaves(b, docId)]);
    assert.deepEqual(
      la.map((x) => ({ rev: x.rev, deleted: x.deleted })),
      want,
      `${a.name}: leaves of ${docId}`,
    );
    assert.deepEqual(lb, la, `${b.name} vs ${a.name}: leaves (rev, deleted, body) of ${docId}`);

    const winner = expectedWinner(exp);
    const liveLeaves = exp.filter((x) => !x.deleted).map((x) => x.rev);
    if (liveLeaves.length === 0) {
      await expect404(a, docId, `${a.name}: all leaves of ${docId} deleted`);
      await expect404(b, docId, `${b.name}: all leaves of ${docId} deleted`);
      continue;
    }
    const [da, db] = await Promise.all([
      a.get(docId, { conflicts: true }),
      b.get(docId, { conflicts: true }),
    ]);
    assert.equal(da._rev, winner, `${a.name}: winner of ${docId}`);
    assert.equal(db._rev, winner, `${b.name}: winner of ${docId}`);
    // Compared as sets: CouchDB lists _conflicts by descending rev, PouchDB by descending position only.
    const wantConflicts = liveLeaves.filter((r) => r !== winner).sort(cmpRev);
    assert.deepEqual(
      [...(da._conflicts ?? [])].sort(cmpRev),
      wantConflicts,
      `${a.name}: _conflicts of ${docId}`,
    );
    assert.deepEqual(
      [...(db._conflicts ?? [])].sort(cmpRev),
      wantConflicts,
      `${b.name}: _conflicts of ${docId}`,
    );
    if (wantConflicts.length > 0) conflicted++;
  }
  assert.equal(conflicted, 13, 'conflicted docs: c-00..c-07, n-00..n-03, t-00');
  const three = await b.get('t-00', { conflicts: true });
  assert.equal(three._conflicts?.length, 2, `${b.name}: t-00 has two _conflicts`);
  const [ia, ib] = await Promise.all([a.info(), b.info()]);
  assert.equal(ia.doc_count, 16, `${a.name}: doc_count (c-10 deleted)`);
  assert.equal(ib.doc_count, 16, `${b.name}: doc_count (c-10 deleted)`);
}

/** Ids that need URL encoding, a design doc, and a _local doc (which must not replicate). */
export async function awkwardIds(local: PouchDatabase, remote: PouchDatabase, fresh: PouchDatabase) {
  const ids = [
    'with space',
    'plus+sign',
    'slash/in/id',
    'question?mark&amp=1',
    'hash#tag',
    'percent%41',
    'ünïcödé',
    'emoji-😀',
    'quote"and\'apos',
    'colon:semi;comma,',
  ];
  const docs: PouchDoc[] = ids.map((id, i) => ({ _id: id, i }));
  docs.push({ _id: '_design/interop', language: 'javascript', views: {} });
  await local.bulkDocs(docs);
  await local.put({ _id: '_local/not-replicated', secret: true });

  const r1 = await replicateOnce(local, remote, 'local -> remote (awkward ids)');
  assert.equal(r1.docs_written, ids.length + 1);
  for (const id of [...ids, '_design/interop']) {
    const d = await remote.get(id);
    assert.equal(d._id, id, `remote GET ${JSON.stringify(id)}`);
  }
  await expect404(remote, '_local/not-replicated', '_local docs are not replicated');

  const r2 = await replicateOnce(remote, fresh, 'remote -> fresh local (awkward ids)');
  assert.equal(r2.docs_written, ids.length + 1);
  await assertSameDocs(local, fresh, ids.length + 1);
  await assertSameDocs(local, remote, ids.length + 1);
}

/**
 * Live replication local -> remote -> fresh (both `{live: true}`), with writes on both the local and the
 * remote side while running; waits for the data to arrive (bounded poll), then cancels both.
 */
export async function liveBothWays(local: PouchDatabase, remote: PouchDatabase, fresh: PouchDatabase) {
  const up = startLive(local, remote, 'live local -> remote');
  const down = startLive(remote, fresh, 'live remote -> fresh');
  let failure: unknown;
  try {
    await within(
      'live replications reach their first paused',
      15_000,
      Promise.all([up.firstPaused, down.firstPaused]),
    );

    const written = await local.bulkDocs(plainDocs('live', 25));
    const expectedRevs = new Map<string, string>();
    for (const r of written) expectedRevs.set(r.id!, assertRev(r.rev, `local write ${r.id}`));
    for (let i = 0; i < 5; i++) {
      const id = `live-${pad(i)}`;
      expectedRevs.set(id, await update(local, id, { updated: true }));
    }
    for (let i = 0; i < 5; i++) {
      const r = await remote.put({ _id: `live-remote-${i}`, i });
      expectedRevs.set(r.id, r.rev);
    }

    const arrived = async (db: PouchDatabase) => {
      for (const l of [up, down]) if (l.errors.length) throw new Error(describeError(l.errors[0]));
      const res = await db.allDocs({ keys: [...expectedRevs.keys()] });
      return res.rows.every((row) => row.value && row.value.rev === expectedRevs.get(row.key));
    };
    await waitFor('all 30 docs at their latest revs on the remote', () => arrived(remote));
    await waitFor('all 30 docs at their latest revs on the fresh local', () => arrived(fresh));
  } catch (e) {
    failure = e;
  }
  // Always cancel both; a failure above is reported in preference to one while stopping.
  const statuses = await Promise.all([up.stop(), down.stop()]).catch((e: unknown) => {
    if (failure) return [];
    throw e;
  });
  if (failure) throw failure;
  assert.deepEqual(
    [up.errors.map(describeError), down.errors.map(describeError)],
    [[], []],
    'live replication errors',
  );
  assert.deepEqual(statuses, ['cancelled', 'cancelled'], 'live replications end as cancelled');
  assert.equal((await fresh.info()).doc_count, 30);
  assert.equal((await local.info()).doc_count, 25);
  await assertSameDocs(remote, fresh, 30);
}

/** Docs whose revisions the remote generated (updates, deletions, an attachment, a conflict made with
 * new_edits=false) go remote -> local memory -> second remote db, and arrive identical, histories included. */
export async function roundTripViaLocal(
  remote1: PouchDatabase,
  local: PouchDatabase,
  remote2: PouchDatabase,
) {
  const res = await remote1.bulkDocs(plainDocs('rt', 30));
  assert.equal(res.filter((r) => r.ok).length, 30, `${remote1.name}: bulk write of 30 docs`);
  for (const r of res) assertRev(r.rev, `${remote1.name}: generated rev of ${r.id}`);
  for (let i = 0; i < 5; i++) {
    await update(remote1, `rt-${pad(i)}`, { v: 2 });
    await update(remote1, `rt-${pad(i)}`, { v: 3 });
  }
  for (let i = 5; i < 8; i++) await remove(remote1, `rt-${pad(i)}`);
  const withAtt = await remote1.get('rt-010');
  await remote1.putAttachment(
    'rt-010',
    'blob.bin',
    withAtt._rev!,
    prngBytes(2048, 10),
    'application/octet-stream',
  );
  // rt-020: the remote's own edit 2-<x>, plus a sibling 2-<y> on the same parent written with
  // new_edits=false (as a replicator would): two live leaves.
  const base = await remote1.get('rt-020');
  const winner020 = await update(remote1, 'rt-020', { v: 2 });
  const sibling: PouchDoc = {
    _id: 'rt-020',
    _rev: '2-7777777777777777777777777777abcd',
    _revisions: { start: 2, ids: ['7777777777777777777777777777abcd', base._rev!.slice(2)] },
    sibling: true,
  };
  const inj = await remote1.bulkDocs([sibling], { new_edits: false });
  assert.ok(!inj[0]?.error, `${remote1.name}: new_edits=false write: ${JSON.stringify(inj)}`);

  const r1 = await replicateOnce(remote1, local, 'remote1 -> local');
  assert.equal(r1.docs_written, 31, 'remote1 -> local: 30 docs (27 live, 3 deleted) + rt-020 second leaf');
  const r2 = await replicateOnce(local, remote2, 'local -> remote2');
  assert.equal(r2.docs_written, 31);

  await assertSameDocs(remote1, local, 27);
  await assertSameDocs(remote1, remote2, 27);
  for (let i = 0; i < 30; i++) {
    const docId = `rt-${pad(i)}`;
    const [l1, l2, l3] = await Promise.all([
      leaves(remote1, docId),
      leaves(local, docId),
      leaves(remote2, docId),
    ]);
    assert.deepEqual(l2, l1, `local vs ${remote1.name}: leaves of ${docId}`);
    assert.deepEqual(l3, l1, `${remote2.name} vs ${remote1.name}: leaves of ${docId}`);
    if (l1.every((x) => x.deleted)) continue;
    const [d1, d3] = await Promise.all([
      remote1.get(docId, { revs: true, conflicts: true }),
      remote2.get(docId, { revs: true, conflicts: true }),
    ]);
    assert.deepEqual(
      d3._revisions,
      d1._revisions,
      `${docId}: _revisions (rev history) survive the round trip`,
    );
    assert.deepEqual(d3._conflicts ?? [], d1._conflicts ?? [], `${docId}: _conflicts survive the round trip`);
  }
  const c = await remote2.get('rt-020', { conflicts: true });
  const exp = expectedWinner([
    { rev: winner020, deleted: false },
    { rev: sibling._rev!, deleted: false },
  ]);
  assert.equal(c._rev, exp, 'rt-020 winner on remote2');
  assert.deepEqual(
    c._conflicts,
    [exp === winner020 ? sibling._rev : winner020],
    'rt-020 _conflicts on remote2',
  );
  const att = await toBuffer(await remote2.getAttachment('rt-010', 'blob.bin'));
  assert.ok(att.equals(prngBytes(2048, 10)), 'rt-010/blob.bin bytes on remote2');
}
