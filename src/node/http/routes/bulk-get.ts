import { compareRevs, parseRev } from '../../../couchdb/tree.ts';
import type { Database, DocState } from '../../engine/database.ts';
import { hasAtts, isPlainRead, renderDoc, renderPlain } from '../../engine/doc-render.ts';
import { headState, leafRevs } from '../../engine/doc-state.ts';
import { badRequest } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { hasFollowingAtts, multipartDoc, openRevList, readRevision, renderOptions } from '../doc-read.ts';
import { buildMultipartMixed, newBoundary } from '../multipart.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';

interface BulkGetItem {
  id?: unknown;
  rev?: unknown;
  atts_since?: unknown;
}

type Options = ReturnType<typeof renderOptions>;

/** POST /{db}/_bulk_get — the replicator's batched read (`revs=true&latest=true`). */
export async function bulkGet(ctx: Ctx, db: Database): Promise<void> {
  if (ctx.method !== 'POST') throw methodNotAllowed('POST');
  const body = await ctx.jsonValue<{ docs?: BulkGetItem[] }>();
  if (!body || !Array.isArray(body.docs)) throw badRequest('Missing JSON list of `docs`.');
  const base = renderOptions(ctx);
  const latest = ctx.bool('latest');
  const accept = ctx.header('accept') ?? '';
  const items = body.docs;
  if (/multipart\/(mixed|related)/i.test(accept) && !/application\/json/i.test(accept))
    return db.store.readTransaction(() =>
      bulkGetMultipart(ctx, db, items, base, latest, /multipart\/related/i.test(accept)),
    );
  // one read snapshot for the whole request (see DbStore.readTransaction)
  const results = db.store.readTransaction(() => bulkGetJson(db, items, base, latest));
  sendJson(ctx.res, 200, results);
}

/** What one item asks for: its doc and the revisions to answer, or the error row it gets. */
type Plan = { done: string } | { id: string; state: DocState; revs: readonly string[]; opts: Options };

const errorDoc = (id: string, r: string, error = 'not_found', reason = 'missing') =>
  `{"error":${JSON.stringify({ rev: r, reason, id, error })}}`;
const result = (id: string, docs: string[]) => `{"id":${JSON.stringify(id)},"docs":[${docs.join(',')}]}`;

/**
 * The answer, `{"results":[{"id":..,"docs":[..]},..]}`, as JSON text. The docs of the whole request
 * are read first, then all their revisions, each through one prepared statement returning bare
 * column arrays; each doc's state is decoded once however many items name it, and `open_revs=all`
 * takes the leaves from the doc row, so a plain read never parses a rev tree. The text is appended
 * piece by piece (one flat copy when it is sent) rather than joined per doc and again per request.
 */
function bulkGetJson(db: Database, items: BulkGetItem[], base: Options, latest: boolean): string {
  const ids = [...new Set(items.flatMap((item) => (typeof item?.id === 'string' ? [item.id] : [])))];
  const states = new Map<string, DocState>();
  // without the trees: `open_revs=all` lists the stored leaves; a tree is read inside this same
  // read transaction only when an item needs it (revs, latest, conflicts, ...)
  for (const row of db.store.getDocHeads(ids)) if (row) states.set(row.id, headState(row, db.store));
  const plans = items.map((item) => planItem(item, states, base, latest));
  const pairs: Array<[string, string]> = [];
  for (const p of plans) if ('id' in p) for (const r of p.revs) pairs.push([p.id, r]);
  const rows = db.store.getRevs(pairs);
  let at = 0;
  let out = '{"results":[';
  // index loops: entries() would make a pair per doc and per revision
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i] as Plan;
    if (i > 0) out += ',';
    if ('done' in p) {
      out += p.done;
      continue;
    }
    const idJson = JSON.stringify(p.id);
    // checked once per item: most reads render every revision by splicing (renderPlain)
    const plain = isPlainRead(db, p.opts);
    out += `{"id":${idJson},"docs":[`;
    for (let k = 0; k < p.revs.length; k++) {
      const row = rows[at++];
      if (k > 0) out += ',';
      if (!row) out += errorDoc(p.id, p.revs[k] as string);
      else if (plain && !hasAtts(row)) out += `{"ok":${renderPlain(idJson, row)}}`;
      else out += `{"ok":${renderDoc(db, p.state, row, p.opts)}}`;
    }
    out += ']}';
  }
  return `${out}]}`;
}

function planItem(item: BulkGetItem, states: Map<string, DocState>, base: Options, latest: boolean): Plan {
  if (typeof item?.id !== 'string')
    return {
      done: `{"id":null,"docs":[{"error":{"id":null,"rev":null,"error":"bad_request","reason":"document id missed"}}]}`,
    };
  const id = item.id;
  const rev = typeof item.rev === 'string' ? item.rev : undefined;
  if (rev !== undefined && !parseRev(rev))
    return { done: result(id, [errorDoc(id, rev, 'bad_request', 'Invalid rev format')]) };
  const state = states.get(id);
  if (!state) return { done: result(id, [errorDoc(id, rev ?? 'undefined')]) };
  const opts = Array.isArray(item.atts_since) ? { ...base, attsSince: item.atts_since as string[] } : base;
  // open_revs=all: fabric answers the leaves ascending by (pos, rev-id bytes), as openRevsAllOrder
  const revs = rev === undefined ? ascendingRevs(leafRevs(state)) : openRevList(state, [rev], latest);
  return { id, state, revs, opts };
}
/**
 * Revs in fabric's open_revs=all order, `[...revs].sort(compareRevs)`. The usual leaves (one
 * position, md5 rev ids as stored: 32 lowercase hex chars) sort as plain strings, which is that
 * order (same prefix, hex text order is byte order) without parsing each rev per comparison.
 */
export function ascendingRevs(revs: readonly string[]): string[] {
  if (revs.length < 2) return [...revs];
  const first = revs[0] as string;
  const dash = first.indexOf('-');
  const len = dash + 33;
  for (const r of revs)
    if (
      r.length !== len ||
      r.charCodeAt(dash) !== 45 ||
      !r.startsWith(first.slice(0, dash)) ||
      !lowerHex(r, dash + 1)
    )
      return [...revs].sort(compareRevs);
  return [...revs].sort();
}

function lowerHex(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** `_bulk_get` as multipart/mixed (CouchDB 3.x): one part per revision, X-Doc-Id / X-Rev-Id on docs with attachments. */
function bulkGetMultipart(
  ctx: Ctx,
  db: Database,
  items: BulkGetItem[],
  base: ReturnType<typeof renderOptions>,
  latest: boolean,
  related: boolean,
): void {
  const inner = { boundary: `--${newBoundary()}`, quoteBoundary: false };
  const parts: Array<{ contentType: string; body: Buffer; headers?: Record<string, string> }> = [];
  const error = (id: unknown, rev: string, error: string, reason: string) =>
    parts.push({
      contentType: 'application/json; error="true"',
      body: Buffer.from(JSON.stringify({ id, rev, error, reason })),
    });
  for (const item of items) {
    if (typeof item?.id !== 'string') {
      error(null, 'undefined', 'bad_request', 'document id missed');
      continue;
    }
    const rev = typeof item.rev === 'string' ? item.rev : undefined;
    const opts = Array.isArray(item.atts_since) ? { ...base, attsSince: item.atts_since as string[] } : base;
    const state = db.getState(item.id);
    if (!state) {
      error(item.id, rev ?? 'undefined', 'not_found', 'missing');
      continue;
    }
    for (const r of openRevList(state, rev === undefined ? 'all' : [rev], latest)) {
      if (opts.attachments === 'data' && hasFollowingAtts(db, state, r, opts)) {
        const mp = multipartDoc(db, state, r, opts, inner);
        if (mp)
          parts.push({
            contentType: mp.contentType,
            body: mp.body,
            headers: { 'X-Doc-Id': state.id, 'X-Rev-Id': r },
          });
        continue;
      }
      const json = readRevision(db, state, r, opts);
      if (json === undefined) error(item.id, r, 'not_found', 'missing');
      else parts.push({ contentType: 'application/json', body: Buffer.from(json) });
    }
  }
  const out = buildMultipartMixed(parts, undefined, {
    framing: 'bulk_get',
    ...(related ? { mediaType: 'multipart/related' } : {}),
  });
  ctx.res.writeHead(200, { 'Content-Type': out.contentType, 'Content-Length': String(out.body.length) });
  ctx.res.end(out.body);
}
