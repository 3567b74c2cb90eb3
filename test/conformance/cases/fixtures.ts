// Database contents the samples were captured on, rebuilt inside each case's own database.
//
// Docs written with a plain PUT get the rev ids CouchDB gave them in the samples (rev ids are md5 of the
// body, parent rev and attachment digests, not random); setups assert that, so a wrong rev id shows up at
// the step that produced it. Conflict trees come from `_bulk_docs` with `new_edits:false` and `_revisions`,
// exactly as in the samples.
import assert from 'node:assert/strict';
import type { Ctx } from './types.ts';

/** Rev ids as CouchDB 3.5.0 assigned them in the samples. */
export const REV = {
  // db "docs": doc1 edited twice (doc-put-201, doc-put-update-201, doc-get-revs-true)
  doc1_1: '1-fc660be7ad32a9e7e4177afa5f18ec03',
  doc1_2: '2-ce746ccf4fa10a656b2fe29908314aea',
  doc1_3: '3-26da0c891dfe4254877568c0bb764f73',
  // db "docs": cdoc root + live leaves a, b + deleted leaf c (bulk-docs-new-edits-false-with-revisions)
  cdoc_root: '1-dfa66abb199e81600b716a415e3e2da8',
  cdoc_a: '2-2c4e4cd01c399b3ea970b271aa14f234',
  cdoc_b: '2-b6af5ef11ca60e797785d985f525897e',
  cdoc_c: '2-83be76cd688c77a2dfac874fca00b73b',
  // db "alldocs"
  apple: '1-363e207482b2671c1cc93f0fd9862448',
  banana: '1-54eb97488a7ef927a5b11c15bbb33b7a',
  cherry: '1-987cdb543447d3965222476b3751aa93',
  date_1: '1-5e480492d0472f3a4601fc75ab0823fb',
  date_2: '2-98b66b6cf61b9b470e817a496316d674',
  elder: '1-235f7a2cc817bdab9562422f2ae52be4',
  fig: '1-c9430c31fc488d39c633d1317e0e7537',
  // db "chg"
  a1: '1-aca7bed4b95174a6e36afa42bf5a1b19',
  a2_1: '1-776b13e00d1a763a03a103d942bd47ab',
  a2_2: '2-c9316ea5c1aa7f3fcc53987de62897a6',
  a3_1: '1-f9be810678a3916f6160c5bfdc15f645',
  a3_2: '2-2bdac59d675a2bfa2456fda1107cf1aa',
  a4: '1-e0d7a87c4f4a7d3a4eba07e00c0d4f3d',
  a5: '1-8e5802138c340121b6ff10de785dcbbb',
  // db "conflicts": c1 with leaves A, B (pos 2) and C (pos 3) under a missing root
  c1_root: '1-95df2dbfa5b048be3c5df86c7ee92c91',
  c1_c_parent: '2-ac000de1dd43a5a187380b47aac676b0',
  c1_a: '2-0ec9fa0da0eccc2832cd8b4beef740f7',
  c1_b: '2-c70aa9e7f4a9964e8a8e6cd5178ca130',
  c1_c: '3-4bd4ffb09f9854827bb8263ed2cad5d8',
  c1_merged: '4-b344159b81939c92cf6c55314f6eebbf',
  c1_a_deleted: '3-1a57039b6d46153d188abec8e0f27b93',
  c1_b_deleted: '3-51a437180149435941954268e80886ea',
  plain: '1-65c8f0dbd20a6646bd4697457d63daac',
  // db "att": withatt with two inline attachments, then a standalone one, then that one deleted
  withatt_1: '1-8c25bd591c6d02bf260e3e0bba5f4d69',
  withatt_2: '2-df9027232d5511a8054709d578a9f1f9',
  withatt_3: '3-0dbea758bad3a32f14869fea7b394629',
  // db "errdb"
  stale_1: '1-7a7e4b29f3af401e69b6f86e4c26b727',
} as const;

const hex = (rev: string) => rev.slice(rev.indexOf('-') + 1);

/** PUT a doc and assert CouchDB's rev id came back. */
export async function putDoc(
  ctx: Ctx,
  id: string,
  body: unknown,
  rev: string,
  sample: string,
): Promise<void> {
  const res = (await ctx.ok('PUT', `/{db}/${encodeURIComponent(id)}`, { body })) as { rev?: string };
  assert.equal(res.rev, rev, `setup: PUT ${id} must give CouchDB's rev id (as in ${sample})`);
}

/** DELETE a doc and assert CouchDB's rev id came back. */
export async function deleteDoc(
  ctx: Ctx,
  id: string,
  parent: string,
  rev: string,
  sample: string,
): Promise<void> {
  const res = (await ctx.ok('DELETE', `/{db}/${encodeURIComponent(id)}?rev=${parent}`)) as { rev?: string };
  assert.equal(res.rev, rev, `setup: DELETE ${id} must give CouchDB's rev id (as in ${sample})`);
}

export async function bulkNewEdits(ctx: Ctx, docs: unknown[]): Promise<void> {
  const res = await ctx.http('POST', '/{db}/_bulk_docs', { body: { docs, new_edits: false } });
  assert.equal(res.status, 201, `setup: _bulk_docs new_edits:false answered ${res.status}: ${res.text}`);
  assert.deepEqual(res.json, [], 'setup: _bulk_docs new_edits:false must answer []');
}

// ---------------------------------------------------------------------------------------------------------
// "docs"

export const DOC1_BODY = [
  { name: 'alpha', n: 1, tags: ['a', 'b'] },
  { name: 'alpha', n: 2, tags: ['a', 'b'] },
  { name: 'alpha', n: 3, tags: ['a', 'b', 'c'] },
] as const;

/** doc1 with 1..3 revisions (bodies n:1, n:2, n:3). */
export async function seedDoc1(ctx: Ctx, revs: 1 | 2 | 3 = 3): Promise<void> {
  await putDoc(ctx, 'doc1', DOC1_BODY[0], REV.doc1_1, 'doc-put-201.json');
  if (revs >= 2) {
    await putDoc(ctx, 'doc1', { _rev: REV.doc1_1, ...DOC1_BODY[1] }, REV.doc1_2, 'doc-get-revs-true.json');
  }
  if (revs >= 3) {
    await putDoc(ctx, 'doc1', { _rev: REV.doc1_2, ...DOC1_BODY[2] }, REV.doc1_3, 'doc-put-update-201.json');
  }
}

export const CDOC_DOCS = [
  { _id: 'cdoc', _rev: REV.cdoc_root, v: 'root', _revisions: { start: 1, ids: [hex(REV.cdoc_root)] } },
  {
    _id: 'cdoc',
    _rev: REV.cdoc_a,
    v: 'a',
    _revisions: { start: 2, ids: [hex(REV.cdoc_a), hex(REV.cdoc_root)] },
  },
  {
    _id: 'cdoc',
    _rev: REV.cdoc_b,
    v: 'b',
    _revisions: { start: 2, ids: [hex(REV.cdoc_b), hex(REV.cdoc_root)] },
  },
  {
    _id: 'cdoc',
    _rev: REV.cdoc_c,
    v: 'c',
    _deleted: true,
    _revisions: { start: 2, ids: [hex(REV.cdoc_c), hex(REV.cdoc_root)] },
  },
];

/** cdoc: root 1-dfa6.., live leaves 2-2c4e.. (v:a) and 2-b6af.. (v:b, the winner), deleted leaf 2-83be.. (v:c). */
export async function seedCdoc(ctx: Ctx): Promise<void> {
  await bulkNewEdits(ctx, CDOC_DOCS);
}

/** The "docs" database: doc1 (3 revs) and cdoc. */
export async function seedDocs(ctx: Ctx): Promise<void> {
  await seedDoc1(ctx, 3);
  await seedCdoc(ctx);
}

// ---------------------------------------------------------------------------------------------------------
// "alldocs": apple, banana, cherry, date (deleted), elder, fig

export const FRUIT = [
  ['apple', 5],
  ['banana', 6],
  ['cherry', 6],
  ['date', 4],
  ['elder', 5],
  ['fig', 3],
] as const;

export async function seedAllDocs(ctx: Ctx): Promise<void> {
  const revs: Record<string, string> = {
    apple: REV.apple,
    banana: REV.banana,
    cherry: REV.cherry,
    date: REV.date_1,
    elder: REV.elder,
    fig: REV.fig,
  };
  for (const [fruit, len] of FRUIT)
    await putDoc(ctx, fruit, { fruit, len }, revs[fruit]!, 'all-docs-include-docs.json');
  await deleteDoc(ctx, 'date', REV.date_1, REV.date_2, 'all-docs-post-keys-missing-and-deleted.json');
}

export function fruitRow(fruit: string, rev: string) {
  return { id: fruit, key: fruit, value: { rev } };
}

// ---------------------------------------------------------------------------------------------------------
// "chg": a1..a5 created, a2 edited, a3 deleted (seqs 1..7). Change order (q=1): a1, a4, a5, a2, a3.

export async function seedChg(ctx: Ctx): Promise<void> {
  await putDoc(ctx, 'a1', { type: 'note', i: 0 }, REV.a1, 'changes-include-docs.json');
  await putDoc(ctx, 'a2', { type: 'task', i: 1 }, REV.a2_1, 'changes-include-docs.json');
  await putDoc(ctx, 'a3', { type: 'note', i: 2 }, REV.a3_1, 'changes-normal.json');
  await putDoc(ctx, 'a4', { type: 'task', i: 3 }, REV.a4, 'changes-include-docs.json');
  await putDoc(ctx, 'a5', { type: 'note', i: 4 }, REV.a5, 'changes-include-docs.json');
  await putDoc(
    ctx,
    'a2',
    { _rev: REV.a2_1, type: 'task', i: 1, done: true },
    REV.a2_2,
    'changes-include-docs.json',
  );
  await deleteDoc(ctx, 'a3', REV.a3_1, REV.a3_2, 'changes-normal.json');
}

export const CHG_DOCS: Record<string, Record<string, unknown>> = {
  a1: { _id: 'a1', _rev: REV.a1, type: 'note', i: 0 },
  a2: { _id: 'a2', _rev: REV.a2_2, type: 'task', i: 1, done: true },
  a3: { _id: 'a3', _rev: REV.a3_2, _deleted: true },
  a4: { _id: 'a4', _rev: REV.a4, type: 'task', i: 3 },
  a5: { _id: 'a5', _rev: REV.a5, type: 'note', i: 4 },
};

/** A `_changes` row without its seq (seqs are opaque and checked separately). */
export function chgRow(id: keyof typeof CHG_DOCS & string, includeDoc = false): Record<string, unknown> {
  const doc = CHG_DOCS[id]!;
  const row: Record<string, unknown> = { id, changes: [{ rev: doc._rev }] };
  if (doc._deleted) row.deleted = true;
  if (includeDoc) row.doc = doc;
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// "conflicts": c1 (3 leaves, made with new_edits:false) then "plain"

export const C1_LEAVES = [
  {
    _id: 'c1',
    _rev: REV.c1_a,
    title: 'edit from device A',
    count: 1,
    _revisions: { start: 2, ids: [hex(REV.c1_a), hex(REV.c1_root)] },
  },
  {
    _id: 'c1',
    _rev: REV.c1_b,
    title: 'edit from device B',
    count: 2,
    _revisions: { start: 2, ids: [hex(REV.c1_b), hex(REV.c1_root)] },
  },
  {
    _id: 'c1',
    _rev: REV.c1_c,
    title: 'edit from device C',
    count: 3,
    _revisions: { start: 3, ids: [hex(REV.c1_c), hex(REV.c1_c_parent), hex(REV.c1_root)] },
  },
];

export const C1_RESOLVE = [
  {
    _id: 'c1',
    _rev: REV.c1_c,
    title: 'merged A+B+C',
    count: 6,
    merged_from: [REV.c1_a, REV.c1_b, REV.c1_c],
  },
  { _id: 'c1', _rev: REV.c1_a, _deleted: true },
  { _id: 'c1', _rev: REV.c1_b, _deleted: true },
];

export async function seedConflicts(ctx: Ctx, resolved = false): Promise<void> {
  await bulkNewEdits(ctx, C1_LEAVES);
  await putDoc(
    ctx,
    'plain',
    { title: 'no conflicts' },
    REV.plain,
    'all-docs-conflicted-doc-conflicts-include-docs.json',
  );
  if (resolved) {
    const res = await ctx.ok('POST', '/{db}/_bulk_docs', { body: { docs: C1_RESOLVE } });
    assert.deepEqual(
      (res as Array<{ rev: string }>).map((r) => r.rev),
      [REV.c1_merged, REV.c1_a_deleted, REV.c1_b_deleted],
      'setup: resolving c1 must give the rev ids of conflicts-3-resolve-bulk-docs.json',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// "att": withatt with inline hello.txt + data.json, then standalone extra.txt, then extra.txt deleted

export const HELLO_B64 = 'SGVsbG8sIENvdWNoREIgYXR0YWNobWVudHMhCg=='; // "Hello, CouchDB attachments!\n"
export const DATA_B64 = 'eyJrIjogInYiLCAibiI6IFsxLCAyLCAzXX0='; // {"k": "v", "n": [1, 2, 3]}
export const EXTRA_TEXT = 'extra attachment body';

export const WITHATT_PUT = {
  title: 'doc with attachments',
  _attachments: {
    'hello.txt': { content_type: 'text/plain', data: HELLO_B64 },
    'data.json': { content_type: 'application/json', data: DATA_B64 },
  },
};

/** Attachment metadata as CouchDB reports it (digests are md5 of the gzip-stored bytes). */
export const ATT = {
  hello: {
    content_type: 'text/plain',
    revpos: 1,
    digest: 'md5-671Ul5RluxaglHoMC2iUMw==',
    length: 28,
    encoded_length: 48,
  },
  data: {
    content_type: 'application/json',
    revpos: 1,
    digest: 'md5-fWcgt5IdKiVndrXE/8950w==',
    length: 26,
    encoded_length: 44,
  },
  extra: {
    content_type: 'text/plain',
    revpos: 2,
    digest: 'md5-tj+Ht79ix/AnLFwvtrmlog==',
    length: 21,
    encoded_length: 41,
  },
} as const;

type AttMeta = (typeof ATT)[keyof typeof ATT];

export function stub(a: AttMeta, encodingInfo = false) {
  const s: Record<string, unknown> = {
    content_type: a.content_type,
    revpos: a.revpos,
    digest: a.digest,
    length: a.length,
    stub: true,
  };
  if (encodingInfo) Object.assign(s, { encoding: 'gzip', encoded_length: a.encoded_length });
  return s;
}

export function follows(a: AttMeta) {
  return {
    content_type: a.content_type,
    revpos: a.revpos,
    digest: a.digest,
    length: a.length,
    follows: true,
    encoding: 'gzip',
    encoded_length: a.encoded_length,
  };
}

export function inline(a: AttMeta, data: string) {
  return { content_type: a.content_type, revpos: a.revpos, digest: a.digest, data };
}

/** stage 1: inline PUT; 2: + standalone extra.txt; 3: + extra.txt deleted. */
export async function seedAtt(ctx: Ctx, stage: 1 | 2 | 3 = 1): Promise<void> {
  await putDoc(ctx, 'withatt', WITHATT_PUT, REV.withatt_1, 'attachment-put-doc-inline-base64.json');
  if (stage >= 2) {
    const res = (await ctx.ok('PUT', `/{db}/withatt/extra.txt?rev=${REV.withatt_1}`, {
      body: EXTRA_TEXT,
      headers: { 'Content-Type': 'text/plain' },
    })) as { rev?: string };
    assert.equal(
      res.rev,
      REV.withatt_2,
      'setup: standalone attachment PUT rev (attachment-put-standalone.json)',
    );
  }
  if (stage >= 3) {
    const res = (await ctx.ok('DELETE', `/{db}/withatt/extra.txt?rev=${REV.withatt_2}`)) as { rev?: string };
    assert.equal(res.rev, REV.withatt_3, 'setup: attachment DELETE rev (attachment-delete.json)');
  }
}

// ---------------------------------------------------------------------------------------------------------
// "errdb": "stale" (2 revs), "gone" (deleted)

export async function seedErrdb(ctx: Ctx): Promise<void> {
  await putDoc(ctx, 'stale', { v: 1 }, REV.stale_1, 'error-409-conflict-stale-rev.json');
  await ctx.ok('PUT', '/{db}/stale', { body: { _rev: REV.stale_1, v: 2 } });
  const gone = (await ctx.ok('PUT', '/{db}/gone', { body: { v: 'soon deleted' } })) as { rev: string };
  await ctx.ok('DELETE', `/{db}/gone?rev=${gone.rev}`);
}

// ---------------------------------------------------------------------------------------------------------
// "_local" docs in "docs": cfg1 (0-1, then 0-2), cfg2 (0-1)

export async function seedLocal(ctx: Ctx, stage: 1 | 2 | 3 = 3): Promise<void> {
  const put = async (id: string, body: unknown, rev: string) => {
    const res = (await ctx.ok('PUT', `/{db}/_local/${id}`, { body })) as { rev?: string };
    assert.equal(res.rev, rev, `setup: PUT _local/${id} rev (local-doc-put-*.json)`);
  };
  await put('cfg1', { setting: 'on', n: 1 }, '0-1');
  if (stage >= 2) await put('cfg1', { _rev: '0-1', setting: 'off', n: 2 }, '0-2');
  if (stage >= 3) {
    await put('cfg1', { _rev: '0-1', setting: 'stale' }, '0-2');
    await put('cfg2', { other: true }, '0-1');
  }
}
