import type { Database, DocState } from '../../engine/database.ts';
import { renderDoc } from '../../engine/doc-render.ts';
import { headState, leafRevs, plainLeavesJson } from '../../engine/doc-state.ts';
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import { matchSelector, type Selector, selectorError } from '../../engine/selector.ts';
import type { DocHead } from '../../store/db-store.ts';
import type { Ctx } from '../context.ts';
import { baseHeaders, methodNotAllowed } from '../respond.ts';
import { designFilter, type RevFilter } from './changes-filter.ts';

type Feed = 'normal' | 'longpoll' | 'continuous' | 'eventsource';
const BATCH = 500;

interface ChangesQuery {
  viewer: Ctx['user'];
  feed: Feed;
  since: number;
  limit: number;
  descending: boolean;
  allDocs: boolean;
  includeDocs: boolean;
  conflicts: boolean;
  attachments: boolean;
  timeout: number;
  heartbeat: number | undefined;
  seqInterval: number | undefined;
  docIds: Set<string> | undefined;
  selector: Selector | undefined;
  /** a design-doc filter or `_view`: which revisions of a batch of docs pass */
  revFilter: RevFilter | undefined;
}

async function parseQuery(ctx: Ctx, db: Database): Promise<ChangesQuery> {
  const feed = (ctx.q('feed') ?? 'normal') as Feed;
  if (!['normal', 'longpoll', 'continuous', 'eventsource'].includes(feed))
    throw badRequest(`Supported \`feed\` types: normal, continuous, live, longpoll, eventsource`);
  let body: Record<string, unknown> = {};
  let rawBody: string | undefined;
  if (ctx.method === 'POST') {
    if (!/^application\/json\b/i.test(ctx.header('content-type') ?? ''))
      throw new CouchHttpError(415, 'bad_content_type', 'Content-Type must be application/json');
    const raw = await ctx.body();
    rawBody = raw.toString('utf8');
    if (raw.length) body = await ctx.jsonObject();
  } else if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed('GET,HEAD,POST');
  const sinceRaw = ctx.q('since') ?? (ctx.header('last-event-id') || undefined);
  const descending = ctx.bool('descending');
  const since = db.seqs.decode(sinceRaw, db.updateSeq);
  if (since === undefined) throw badRequest(`Malformed sequence supplied in 'since' parameter.`);
  const heartbeatRaw = ctx.q('heartbeat');
  const filter = ctx.q('filter');
  let docIds: Set<string> | undefined;
  let selector: Selector | undefined;
  let revFilter: RevFilter | undefined;
  if (filter === '_doc_ids') {
    const ids = body.doc_ids ?? ctx.json('doc_ids');
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string'))
      throw badRequest('`doc_ids` filter parameter is not a list of doc ids.');
    docIds = new Set(ids as string[]);
  } else if (filter === '_selector') {
    const invalid = selectorError(body.selector);
    if (invalid) throw badRequest(`Selector error: ${invalid}`);
    selector = body.selector as Selector;
  } else if (filter === '_design') {
    docIds = undefined; // only design docs: handled as a selector on the id
    selector = { _id: { $regex: '^_design/' } };
  } else if (filter === '_view' || (filter !== null && !filter.startsWith('_')))
    revFilter = designFilter(ctx, db, filter, rawBody);
  else if (filter !== null) throw badRequest('unknown builtin filter name');
  return {
    viewer: ctx.user,
    feed,
    // couch_changes: a descending feed starts at the current update seq; `since` is ignored
    since: descending ? db.updateSeq : since,
    limit: ctx.int('limit', Number.MAX_SAFE_INTEGER),
    descending,
    allDocs: ctx.q('style') === 'all_docs',
    includeDocs: ctx.bool('include_docs'),
    conflicts: ctx.bool('conflicts'),
    attachments: ctx.bool('attachments'),
    timeout: ctx.int('timeout', 60_000),
    heartbeat:
      heartbeatRaw === null
        ? undefined
        : heartbeatRaw === 'true'
          ? 60_000
          : Math.max(ctx.int('heartbeat', 60_000), 1),
    seqInterval: ctx.q('seq_interval') === null ? undefined : Math.max(1, ctx.int('seq_interval', 1)),
    docIds,
    selector,
    revFilter,
  };
}

/** One change row, in CouchDB's key order: seq, id, changes, deleted, doc. */
function renderRow(
  db: Database,
  state: DocState,
  q: ChangesQuery,
  seq: string | null,
  passed?: string[],
): string | undefined {
  let doc = '';
  let parsed: unknown;
  const needBody = q.includeDocs || q.selector;
  const body = needBody ? db.getRev(state.id, state.winner) : undefined;
  if (q.selector) {
    if (state.deleted || !body) return undefined;
    parsed = { _id: state.id, ...(JSON.parse(body.body) as object) };
    // match what this reader may see (after_doc_read strips other owners' `_replicator`
    // credentials), never the stored body: else a selector is an oracle for the hidden fields
    if (db.afterRead && q.viewer) parsed = db.afterRead(parsed as Record<string, unknown>, q.viewer);
    if (!matchSelector(parsed, q.selector)) return undefined;
  }
  if (q.includeDocs)
    doc = `,"doc":${
      body
        ? renderDoc(db, state, body, {
            conflicts: q.conflicts,
            attachments: q.attachments ? 'data' : 'stub',
            viewer: q.viewer,
          })
        : 'null'
    }`;
  return `{"seq":${seq === null ? 'null' : JSON.stringify(seq)},"id":${JSON.stringify(state.id)},"changes":${changesList(state, q, passed)}${state.deleted ? ',"deleted":true' : ''}${doc}}`;
}

/**
 * A row's `changes` array: the revs a filter passed, every leaf winner first (style=all_docs, from
 * the doc row, no tree walk), or the winner. A rev is written as its text between quotes, as it
 * always was here, so the stored leaf list's JSON text without escapes turns into the array by
 * splicing (`["a","b"]` -> `[{"rev":"a"},{"rev":"b"}]`) without parsing it.
 */
export function changesList(state: DocState, q: { allDocs: boolean }, passed?: readonly string[]): string {
  if (!passed && !q.allDocs) return `[{"rev":"${state.winner}"}]`;
  const text = passed ? undefined : plainLeavesJson(state);
  if (text !== undefined) return `[{"rev":${text.slice(1, -1).replaceAll('","', '"},{"rev":"')}}]`;
  const revs = passed ?? leafRevs(state);
  return `[${revs.map((r) => `{"rev":"${r}"}`).join(',')}]`;
}

interface Batch {
  rows: Array<{ text: string; seq: number }>;
  last: number;
}

/** Reads changes after `since` (at or before it when descending), applying filters, up to `limit` rows. */
function readBatch(db: Database, q: ChangesQuery, since: number, limit: number, emitted: number): Batch {
  const rows: Batch['rows'] = [];
  let last = since;
  let cursor = since;
  if (limit <= 0) return { rows, last }; // limit=0: the replicator's pending-count probe
  for (;;) {
    // rows without their trees: a row's tree is read only if a filter or include_docs needs it
    const found: DocHead[] = q.descending
      ? db.store.bySeqHeadsDesc(cursor, BATCH)
      : db.store.bySeqHeads(cursor, BATCH);
    const states = found.map((row) => headState(row, db.store));
    // a design-doc filter runs once over the whole batch (one sandbox call), rows then follow it
    const passed = q.revFilter?.(states, q.allDocs);
    for (const [i, state] of states.entries()) {
      cursor = q.descending ? state.seq - 1 : state.seq;
      last = state.seq;
      if (q.docIds && !q.docIds.has(state.id)) continue;
      const revs = passed?.[i];
      if (passed && !revs) continue;
      const n = emitted + rows.length;
      const showSeq = q.seqInterval === undefined || n % q.seqInterval === 0;
      const text = renderRow(db, state, q, showSeq ? db.seqs.encode(state.seq) : null, revs);
      if (text !== undefined) rows.push({ text, seq: state.seq });
      if (rows.length >= limit) return { rows, last };
    }
    if (found.length < BATCH) return { rows, last };
  }
}

const joinRows = (b: Batch) => b.rows.map((r) => r.text).join(',\n');

/** GET/POST /{db}/_changes: normal, longpoll, continuous and eventsource feeds. */
export async function changes(ctx: Ctx, db: Database): Promise<void> {
  const q = await parseQuery(ctx, db);
  const res = ctx.res;
  if (q.feed === 'normal' || q.limit === 0 || (q.feed === 'longpoll' && q.descending))
    return normal(ctx, db, q);
  if (q.feed === 'longpoll') return longpoll(ctx, db, q);
  res.writeHead(
    200,
    baseHeaders(
      q.feed === 'eventsource' ? { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } : {},
    ),
  );
  return stream(ctx, db, q);
}

function finish(db: Database, q: ChangesQuery, b: Batch): string {
  // a db deleted while the feed waited: CouchDB ends the feed with 200 and no pending changes
  const pending = q.descending || db.closed ? 0 : db.store.countAfter(b.last);
  return `"last_seq":${JSON.stringify(db.seqs.encode(b.last))},"pending":${pending}`;
}

function normal(ctx: Ctx, db: Database, q: ChangesQuery): void {
  const b = readBatch(db, q, q.since, q.limit, 0);
  const text = `{"results":[\n${joinRows(b)}\n],\n${finish(db, q, b)}}\n`;
  ctx.res.writeHead(200, baseHeaders());
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

/** Waits for a commit on `db`, the timeout, the client going away or the db closing. */
function waitForChange(
  ctx: Ctx,
  db: Database,
  ms: number,
  onTick?: () => void,
  tickMs?: number,
): Promise<'change' | 'timeout' | 'closed'> {
  return new Promise((resolve) => {
    let tick: NodeJS.Timeout | undefined;
    const done = (r: 'change' | 'timeout' | 'closed') => {
      clearTimeout(timer);
      if (tick) clearInterval(tick);
      off();
      ctx.res.off('close', onClose);
      resolve(r);
    };
    const onClose = () => done('closed');
    const off = db.onChange(() => done(db.closed ? 'closed' : 'change'));
    const timer = setTimeout(() => done('timeout'), ms);
    if (onTick && tickMs) tick = setInterval(onTick, tickMs);
    ctx.res.on('close', onClose);
  });
}

async function longpoll(ctx: Ctx, db: Database, q: ChangesQuery): Promise<void> {
  let b = readBatch(db, q, q.since, q.limit, 0);
  while (!b.rows.length) {
    const r = await waitForChange(ctx, db, q.timeout);
    if (r !== 'change') break;
    b = readBatch(db, q, b.last, q.limit, 0);
  }
  if (ctx.res.destroyed) return;
  const text = `{"results":[\n${joinRows(b)}${b.rows.length ? '\n' : ''}],\n${finish(db, q, b)}}\n`;
  ctx.res.writeHead(200, baseHeaders());
  ctx.res.end(text);
}

async function stream(ctx: Ctx, db: Database, q: ChangesQuery): Promise<void> {
  const res = ctx.res;
  const es = q.feed === 'eventsource';
  let sent = 0;
  let b: Batch = { rows: [], last: q.since };
  for (;;) {
    b = readBatch(db, q, b.last, q.limit - sent, sent);
    for (const row of b.rows)
      res.write(
        es ? `data: ${row.text}\nid: ${JSON.stringify(db.seqs.encode(row.seq))}\n\n` : `${row.text}\n`,
      );
    sent += b.rows.length;
    if (sent >= q.limit || q.descending) break;
    // a heartbeat keeps the feed open past `timeout`, as CouchDB does
    const hb = q.heartbeat;
    const r = await waitForChange(
      ctx,
      db,
      hb ? 2 ** 31 - 1 : q.timeout,
      hb ? () => res.write('\n') : undefined,
      hb,
    );
    if (r === 'closed') return void res.end();
    if (r === 'timeout') break;
  }
  if (res.destroyed) return;
  if (!es) res.write(`{${finish(db, q, b)}}\n`);
  res.end();
}
