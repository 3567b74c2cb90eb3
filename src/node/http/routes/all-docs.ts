import type { Database } from '../../engine/database.ts';
import { renderDoc, renderLocal } from '../../engine/doc-render.ts';
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import type { KeyRange } from '../../store/db-store.ts';
import type { Ctx } from '../context.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';

interface RangeQuery extends KeyRange {
  keys?: unknown[];
}

function strKey(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new CouchHttpError(400, 'query_parse_error', `${name} must be a string for _all_docs`);
  return v;
}

async function rangeQuery(ctx: Ctx): Promise<RangeQuery> {
  let keys = ctx.json('keys') as unknown[] | undefined;
  if (keys !== undefined && !Array.isArray(keys))
    throw new CouchHttpError(400, 'query_parse_error', '`keys` must be an array.');
  if (ctx.method === 'POST') {
    const body = await ctx.jsonObject<{ keys?: unknown }>();
    if (body && typeof body === 'object' && 'keys' in body) {
      if (!Array.isArray(body.keys)) throw badRequest('`keys` member must be an array.');
      keys = body.keys;
    }
  } else if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw methodNotAllowed('GET,HEAD,POST');
  const key = ctx.json('key');
  const q: RangeQuery = {
    start: strKey(key ?? ctx.json('startkey') ?? ctx.json('start_key'), 'startkey'),
    end: strKey(key ?? ctx.json('endkey') ?? ctx.json('end_key'), 'endkey'),
    inclusiveEnd: key !== undefined || ctx.bool('inclusive_end', true),
    descending: ctx.bool('descending'),
    limit: ctx.int('limit', Number.MAX_SAFE_INTEGER),
    skip: ctx.int('skip', 0),
  };
  if (keys !== undefined) {
    // couch_mrview_util:validate_args: a non-empty `keys` excludes any key range
    if (keys.length > 0 && (q.start !== undefined || q.end !== undefined))
      throw new CouchHttpError(
        400,
        'query_parse_error',
        '`keys` is incompatible with `key`, `start_key` and `end_key`',
      );
    q.keys = keys;
  }
  return q;
}

/** GET/POST /{db}/_all_docs (ids in raw byte order, as CouchDB's `_all_docs` collation). */
export async function allDocs(ctx: Ctx, db: Database): Promise<void> {
  const q = await rangeQuery(ctx);
  const includeDocs = ctx.bool('include_docs');
  const conflicts = ctx.bool('conflicts');
  // include_docs with attachments=true inlines base64 data, as couch_mrview's doc_member does
  const render = {
    conflicts,
    viewer: ctx.user,
    attachments: ctx.bool('attachments') ? ('data' as const) : ('stub' as const),
    attEncodingInfo: ctx.bool('att_encoding_info'),
  };
  const head = `{"total_rows":${db.docCount},"offset":`;
  const seq = ctx.bool('update_seq') ? `,"update_seq":${JSON.stringify(db.seqs.encode(db.updateSeq))}` : '';
  const docOf = (id: string, rev: string) => {
    const state = db.getState(id);
    const row = state && db.getRev(id, rev);
    return state && row ? renderDoc(db, state, row, render) : 'null';
  };
  let rows: string[];
  let offset = 'null';
  if (q.keys) {
    rows = q.keys.slice(q.skip, q.skip + q.limit).map((k) => {
      const state = typeof k === 'string' ? db.getState(k) : undefined;
      if (!state) return `{"key":${JSON.stringify(k)},"error":"not_found"}`;
      const idj = JSON.stringify(state.id);
      const value = state.deleted ? `{"rev":"${state.winner}","deleted":true}` : `{"rev":"${state.winner}"}`;
      const doc = includeDocs ? `,"doc":${state.deleted ? 'null' : docOf(state.id, state.winner)}` : '';
      return `{"id":${idj},"key":${idj},"value":${value}${doc}}`;
    });
  } else {
    const found = db.store.docRange(q);
    offset = String(db.store.countBefore(q) + q.skip);
    rows = found.map((r) => {
      const idj = JSON.stringify(r.id);
      const doc = includeDocs ? `,"doc":${docOf(r.id, r.winner)}` : '';
      return `{"id":${idj},"key":${idj},"value":{"rev":"${r.winner}"}${doc}}`;
    });
  }
  sendJson(ctx.res, 200, `${head}${offset}${seq},"rows":[\n${rows.join(',\n')}\n]}`);
}

/** GET/POST /{db}/_local_docs */
export async function localDocs(ctx: Ctx, db: Database): Promise<void> {
  const q = await rangeQuery(ctx);
  const includeDocs = ctx.bool('include_docs');
  const row = (id: string, rev: number, body: string) => {
    const idj = JSON.stringify(id);
    const doc = includeDocs ? `,"doc":${renderLocal(id, rev, body)}` : '';
    return `{"id":${idj},"key":${idj},"value":{"rev":"0-${rev}"}${doc}}`;
  };
  let rows: string[];
  if (q.keys)
    rows = q.keys.map((k) => {
      const d = typeof k === 'string' ? db.store.getLocal(k) : undefined;
      return d ? row(d.id, d.rev, d.body) : `{"key":${JSON.stringify(k)},"error":"not_found"}`;
    });
  else rows = db.store.localRange(q).map((d) => row(d.id, d.rev, d.body));
  sendJson(ctx.res, 200, `{"total_rows":null,"offset":null,"rows":[\n${rows.join(',\n')}\n]}`);
}
