// _changes: normal, limit/since paging, since=now, descending, include_docs, filters, seq_interval, longpoll,
// continuous (timeout, limit, heartbeat), eventsource.
//
// The samples were captured on q=2 databases, whose feed interleaves the two shards; the cases create q=1
// databases, where the feed is in write order: a1, a4, a5, a2, a3 for the "chg" fixture. Seqs are opaque: rows
// are compared without them, and seqs are checked for shape and order only.
import assert from 'node:assert/strict';
import { asObject, assertJson, parseLines, type Res, seqNum, stamp } from '../harness.ts';
import { chgRow, seedChg } from './fixtures.ts';
import { type Area, type Ctx, JSON_CT } from './types.ts';

export interface ChangesExpect {
  rows: Array<Record<string, unknown>>;
  /** Exact pending count, or 'any' (filtered feeds: CouchDB's count depends on sharding). */
  pending: number | 'any';
  descending?: boolean;
  /** last_seq must equal the last row's seq (true for unfiltered feeds). */
  lastSeqIsLastRow?: boolean;
}

/** Checks a single changes row (key order seq, id, changes, deleted?, doc?) against `want` (no seq). */
export function checkRow(row: unknown, want: Record<string, unknown>, where: string): number {
  const r = asObject(row, where);
  const { seq, ...rest } = r;
  assert.equal(Object.keys(r)[0], 'seq', `${where}: seq must come first`);
  assertJson(rest, want, `${where}: ${JSON.stringify(rest)}`);
  return seqNum(seq, `${where}.seq`);
}

export function checkChanges(body: unknown, exp: ChangesExpect): void {
  const b = asObject(body);
  assert.deepEqual(Object.keys(b), ['results', 'last_seq', 'pending'], 'changes body keys');
  const results = b.results as unknown[];
  assert.equal(
    results.length,
    exp.rows.length,
    `rows: ${JSON.stringify(results.map((r) => asObject(r).id))}`,
  );
  const nums = results.map((row, i) => checkRow(row, exp.rows[i]!, `results[${i}]`));
  for (let i = 1; i < nums.length; i++) {
    if (exp.descending) assert.ok(nums[i]! <= nums[i - 1]!, `descending seqs ${nums.join(',')}`);
    else assert.ok(nums[i]! >= nums[i - 1]!, `ascending seqs ${nums.join(',')}`);
  }
  const last = seqNum(b.last_seq, 'last_seq');
  if (!exp.descending && nums.length) assert.ok(last >= Math.max(...nums), 'last_seq >= every row seq');
  if (exp.lastSeqIsLastRow && results.length) {
    assert.equal(b.last_seq, asObject(results.at(-1)).seq, 'last_seq is the seq of the last row');
  }
  if (exp.pending === 'any') assert.ok(Number.isInteger(b.pending) && b.pending >= 0, `pending ${b.pending}`);
  else assert.equal(b.pending, exp.pending, 'pending');
}

const ORDER = ['a1', 'a4', 'a5', 'a2', 'a3'] as const;
/** Bare newlines (heartbeats) among the complete lines of a continuous feed read so far. */
const heartbeats = (text: string) =>
  text
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.trim() === '').length;
const rows = (ids: readonly string[], docs = false) => ids.map((id) => chgRow(id, docs));

// Waiting is asserted by order, never by a duration (a time bound fails on a loaded machine): while
// the case's request is pending, PROBES requests go out one after the other; a server that holds a
// longpoll or a stream until its timeout answers after the last of them, one that answered at once
// is ahead of them. Keyed by the case's database; settled (and awaited) by the case's check.
const PROBES = 5;
const background = new Map<string, Promise<number>>();

async function roundTrips(ctx: Ctx): Promise<void> {
  for (let i = 0; i < PROBES; i++) await ctx.ok('GET', '/{db}');
}

/** Runs `work` beside the case's request (started from its setup); its result is the stamp at the end. */
function beside(ctx: Ctx, work: () => Promise<void>): void {
  const run = work().then(stamp, () => Number.POSITIVE_INFINITY);
  background.set(ctx.db, run);
}

function probeWhilePending(ctx: Ctx): void {
  beside(ctx, () => roundTrips(ctx));
}

/** The stamp `beside` work ended with (awaited: nothing of a case outlives it). */
async function besideDone(ctx: Ctx): Promise<number> {
  const done = await background.get(ctx.db);
  background.delete(ctx.db);
  assert.ok(done !== undefined && Number.isFinite(done), 'the requests made beside the case failed');
  return done;
}

async function assertHeld(res: Res, ctx: Ctx, what: string): Promise<void> {
  const probed = await besideDone(ctx);
  assert.ok(probed < res.endStamp, `${what} before ${PROBES} requests sent after it had come and gone`);
}

async function checkIdle(res: Res, ctx: Ctx): Promise<void> {
  await assertHeld(res, ctx, 'the longpoll answered');
  const b = asObject(res.json);
  assert.deepEqual(Object.keys(b), ['results', 'last_seq', 'pending']);
  assert.deepEqual(b.results, []);
  assert.equal(b.pending, 0);
  await assertAtEnd(ctx, b.last_seq, 'last_seq is the current update seq');
}

/**
 * `seq` names the feed's current end: `_changes?since=<seq>` has no rows. This, not equal numbers,
 * is what CouchDB promises: seqs are opaque, and on a cluster (n>1) `GET /db`'s `update_seq` and a
 * feed's `last_seq` may be read from different copies of a shard, whose numeric prefixes differ
 * (each copy counts its own updates, internal replication included) while naming the same point
 * (CouchDB docs, "sequence IDs are opaque"; fabric_view_changes encodes one position per range).
 */
async function assertAtEnd(ctx: Ctx, seq: unknown, what: string): Promise<void> {
  seqNum(seq, what);
  const after = await ctx.ok('GET', `/{db}/_changes?since=${encodeURIComponent(seq as string)}`);
  assert.deepEqual(after.results, [], `${what}: nothing comes after it`);
}

export const changesArea: Area = {
  name: '_changes',
  cases: [
    {
      name: 'GET _changes: {seq,id,changes[,deleted]} rows, last_seq, pending',
      sample: 'changes-normal.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(ORDER), pending: 0, lastSeqIsLastRow: true }),
      },
    },
    {
      name: 'GET _changes?limit=2: pending counts the rest',
      sample: 'changes-limit.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?limit=2' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, { rows: rows(['a1', 'a4']), pending: 3, lastSeqIsLastRow: true }),
      },
    },
    {
      name: 'GET _changes?since=<last_seq of limit=2>&limit=2: next page',
      sample: 'changes-since-last-seq-of-limit.json',
      setup: async (ctx) => {
        await seedChg(ctx);
        ctx.vars.since = (await ctx.ok('GET', '/{db}/_changes?limit=2')).last_seq;
      },
      request: (ctx) => ({
        method: 'GET',
        path: `/{db}/_changes?since=${encodeURIComponent(ctx.vars.since!)}&limit=2`,
      }),
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, { rows: rows(['a5', 'a2']), pending: 1, lastSeqIsLastRow: true }),
      },
    },
    {
      name: 'GET _changes?feed=normal&since=0&limit=1',
      sample: 'changes-feed-normal-since-0-explicit.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?feed=normal&since=0&limit=1' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(['a1']), pending: 4, lastSeqIsLastRow: true }),
      },
    },
    {
      name: 'GET _changes?descending=true: newest first, last_seq = last row',
      sample: 'changes-descending.json',
      deviation: 'q=1 row order',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?descending=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, {
            rows: rows([...ORDER].reverse()),
            pending: 0,
            descending: true,
            lastSeqIsLastRow: true,
          }),
      },
    },
    {
      name: 'GET _changes?include_docs=true: deleted row has deleted:true and a doc with _deleted',
      sample: 'changes-include-docs.json',
      deviation: 'q=1 row order',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?include_docs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, { rows: rows(ORDER, true), pending: 0, lastSeqIsLastRow: true }),
      },
    },
    {
      name: 'GET _changes?filter=_doc_ids&doc_ids=["a1","a4"]',
      sample: 'changes-filter-doc-ids-get.json',
      setup: seedChg,
      request: {
        method: 'GET',
        path: `/{db}/_changes?filter=_doc_ids&doc_ids=${encodeURIComponent('["a1","a4"]')}`,
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(['a1', 'a4']), pending: 'any' }),
      },
    },
    {
      name: 'POST _changes?filter=_doc_ids {doc_ids} incl. an unknown id and a deleted doc',
      sample: 'changes-filter-doc-ids-post.json',
      setup: seedChg,
      request: {
        method: 'POST',
        path: '/{db}/_changes?filter=_doc_ids',
        body: { doc_ids: ['a2', 'a3', 'zzz'] },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(['a2', 'a3']), pending: 'any' }),
      },
    },
    {
      name: 'POST _changes?filter=_selector {selector:{type:"note"}}: deleted docs do not match',
      sample: 'changes-filter-selector.json',
      setup: seedChg,
      request: {
        method: 'POST',
        path: '/{db}/_changes?filter=_selector',
        body: { selector: { type: 'note' } },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(['a1', 'a5']), pending: 'any' }),
      },
    },
    {
      name: 'POST _changes?filter=_selector&include_docs=true {selector:{done:true}}',
      sample: 'changes-filter-selector-include-docs.json',
      setup: seedChg,
      request: {
        method: 'POST',
        path: '/{db}/_changes?filter=_selector&include_docs=true',
        body: { selector: { done: true } },
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => checkChanges(res.json, { rows: rows(['a2'], true), pending: 'any' }),
      },
    },
    {
      name: 'POST _changes?filter=_selector with {} -> 400 Selector error',
      sample: 'changes-filter-selector-missing-selector-400.json',
      setup: seedChg,
      request: { method: 'POST', path: '/{db}/_changes?filter=_selector', body: {} },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'Selector error: expected a JSON object' },
      },
    },
    {
      name: 'GET _changes?filter=_bogus -> 400 unknown builtin filter name',
      sample: 'changes-filter-unknown-builtin-400.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?filter=_bogus' },
      expect: {
        status: 400,
        contentType: JSON_CT,
        body: { error: 'bad_request', reason: 'unknown builtin filter name' },
      },
    },
    {
      name: 'GET _changes?since=now: no rows, last_seq = current',
      sample: 'changes-since-now.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?since=now' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          checkChanges(res.json, { rows: [], pending: 0 });
          await assertAtEnd(ctx, asObject(res.json).last_seq, 'last_seq = update_seq');
        },
      },
    },
    {
      name: 'GET _changes?seq_interval=2: some rows have seq null, last_seq always set',
      sample: 'changes-seq-interval-2.json',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?seq_interval=2' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          const b = asObject(res.json);
          assert.deepEqual(Object.keys(b), ['results', 'last_seq', 'pending']);
          const results = b.results as Array<Record<string, unknown>>;
          assert.equal(results.length, ORDER.length);
          let nulls = 0;
          results.forEach((r, i) => {
            const { seq, ...rest } = r;
            assert.equal(Object.keys(r)[0], 'seq');
            if (seq === null) nulls++;
            else seqNum(seq, `results[${i}].seq`);
            assertJson(rest, chgRow(ORDER[i]!));
          });
          assert.ok(nulls > 0 && nulls < results.length, `${nulls} of ${results.length} rows have seq null`);
          seqNum(b.last_seq, 'last_seq');
          assert.equal(b.pending, 0);
        },
      },
    },
    {
      name: 'GET _changes?feed=longpoll&timeout=1000 on an empty db: {results:[],last_seq:"0-…",pending:0} at the timeout',
      sample: 'changes-longpoll-timeout-1000-idle-db.json',
      setup: async (ctx) => probeWhilePending(ctx),
      request: { method: 'GET', path: '/{db}/_changes?feed=longpoll&timeout=1000' },
      expect: { status: 200, contentType: JSON_CT, check: checkIdle },
    },
    {
      name: 'GET _changes?feed=longpoll&since=now&timeout=1000: empty at the timeout, last_seq = current',
      sample: 'changes-longpoll-timeout-1000-since-now.json',
      setup: async (ctx) => {
        await seedChg(ctx);
        probeWhilePending(ctx);
      },
      request: { method: 'GET', path: '/{db}/_changes?feed=longpoll&since=now&timeout=1000' },
      expect: { status: 200, contentType: JSON_CT, check: checkIdle },
    },
    {
      // Once the longpoll is waiting (PROBES round trips after it went out) we write `late`; once that is
      // acknowledged and PROBES more round trips came and went, `later`. The answer holds `late` alone:
      // CouchDB answers on the first change, not at the (10 s) timeout, and not before the change.
      name: 'GET _changes?feed=longpoll&since=now answers as soon as a doc is written',
      setup: async (ctx) => {
        await seedChg(ctx);
        beside(ctx, async () => {
          await roundTrips(ctx);
          await ctx.ok('PUT', '/{db}/late', { body: { late: true } });
          await roundTrips(ctx);
          await ctx.ok('PUT', '/{db}/later', { body: { later: true } });
        });
      },
      request: { method: 'GET', path: '/{db}/_changes?feed=longpoll&since=now&timeout=10000' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: async (res, ctx) => {
          await besideDone(ctx);
          const b = asObject(res.json);
          assert.deepEqual(
            b.results.map((r: { id: string }) => r.id),
            ['late'],
            'only the change written while the longpoll waited',
          );
          assert.equal(b.last_seq, b.results[0].seq);
        },
      },
    },
    {
      name: 'GET _changes?feed=continuous&timeout=1500: a line per change, then {last_seq,pending}, then closed',
      sample: 'changes-continuous-timeout-1500.json',
      setup: async (ctx) => {
        await seedChg(ctx);
        probeWhilePending(ctx);
      },
      request: { method: 'GET', path: '/{db}/_changes?feed=continuous&timeout=1500', maxMs: 8000 },
      expect: {
        status: 200,
        contentType: JSON_CT,
        headers: { 'transfer-encoding': 'chunked' },
        check: async (res, ctx) => {
          assert.ok(res.ended, 'the server ends the stream after the timeout');
          await assertHeld(res, ctx, 'the stream ended');
          const { lines } = parseLines(res.text);
          assert.equal(lines.length, ORDER.length + 1, `lines: ${res.text}`);
          const nums = ORDER.map((id, i) => checkRow(lines[i], chgRow(id), `line ${i}`));
          const tail = asObject(lines.at(-1), 'last line');
          assert.deepEqual(Object.keys(tail), ['last_seq', 'pending']);
          assert.equal(tail.pending, 0);
          assert.equal(tail.last_seq, lines[ORDER.length - 1].seq, 'last_seq is the seq of the last change');
          assert.deepEqual(
            nums,
            [...nums].sort((a, b) => a - b),
            'seqs ascend',
          );
        },
      },
    },
    {
      name: 'GET _changes?feed=continuous&timeout=1500&include_docs=true&limit=2: 2 lines with doc, then last_seq',
      sample: 'changes-continuous-timeout-1500-include-docs-limit.json',
      deviation: 'q=1 row order',
      setup: seedChg,
      request: {
        method: 'GET',
        path: '/{db}/_changes?feed=continuous&timeout=1500&include_docs=true&limit=2',
        maxMs: 8000,
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          assert.ok(res.ended, 'the server ends the stream once the limit is reached');
          const { lines } = parseLines(res.text);
          assert.equal(lines.length, 3, `lines: ${res.text}`);
          checkRow(lines[0], chgRow('a1', true), 'line 0');
          checkRow(lines[1], chgRow('a4', true), 'line 1');
          assert.deepEqual(Object.keys(lines[2]), ['last_seq', 'pending']);
          assert.equal(lines[2].last_seq, lines[1].seq);
          assert.equal(lines[2].pending, 3);
        },
      },
    },
    {
      // The server's own heartbeats are the clock: four of them, 500 ms apart, are 2 s of the server's
      // time, past its 1500 ms timeout, and the feed is still open (we close it then, not the server).
      name: 'GET _changes?feed=continuous&timeout=1500&heartbeat=500: heartbeats keep the stream open past the timeout',
      sample: 'changes-continuous-timeout-1500-heartbeat-500.json',
      setup: seedChg,
      request: {
        method: 'GET',
        path: '/{db}/_changes?feed=continuous&timeout=1500&heartbeat=500',
        maxMs: 8000,
        until: (text) => heartbeats(text) >= 4,
      },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) => {
          assert.equal(res.ended, false, 'the server must not end a heartbeat feed at the timeout');
          const { lines, blank } = parseLines(res.text);
          assert.equal(lines.length, ORDER.length, `only change lines, no last_seq line: ${res.text}`);
          for (const [i, id] of ORDER.entries()) checkRow(lines[i], chgRow(id), `line ${i}`);
          assert.ok(blank >= 4, `${blank} heartbeat newlines: the feed outlived its timeout`);
        },
      },
    },
    {
      name: 'GET _changes?feed=eventsource&limit=2: text/event-stream data:/id: events',
      sample: 'changes-eventsource-timeout-1500.json',
      deviation: 'q=1 row order',
      setup: seedChg,
      request: { method: 'GET', path: '/{db}/_changes?feed=eventsource&timeout=1500&limit=2', maxMs: 5000 },
      expect: {
        status: 200,
        contentType: 'text/event-stream',
        headers: { 'cache-control': 'no-cache' },
        check: (res) => {
          const events = res.text.split('\n\n').filter((e) => e.trim() !== '');
          assert.equal(events.length, 2, `events: ${res.text}`);
          ['a1', 'a4'].forEach((id, i) => {
            const lines = events[i]!.split('\n').filter((l) => l !== '');
            assert.equal(lines.length, 2, `event ${i}: ${events[i]}`);
            assert.ok(lines[0]!.startsWith('data: '), `event ${i} data line`);
            assert.ok(lines[1]!.startsWith('id: '), `event ${i} id line`);
            const row = JSON.parse(lines[0]!.slice(6));
            checkRow(row, chgRow(id), `event ${i}`);
            assert.equal(lines[1]!.slice(4), JSON.stringify(row.seq), 'id is the JSON seq');
          });
        },
      },
    },
  ],
};
