import { leaves } from '../../../couchdb/tree.ts';
import type { Database, DocState } from '../../engine/database.ts';
import type { DesignFn } from '../../engine/design.ts';
import { renderDoc } from '../../engine/doc-render.ts';
import { badRequest, CouchHttpError } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { readSecurity } from '../security.ts';

/** The revisions of each doc that pass a filter (undefined: none pass, the row is left out). */
export type RevFilter = (states: DocState[], allDocs: boolean) => Array<string[] | undefined>;

/**
 * `_changes?filter=ddoc/name` (a design doc's `filters.name`, called as `fun(doc, req)`) and
 * `filter=_view&view=ddoc/name` (the view's map function: a doc passes when it emits), as
 * couch_changes runs them: per revision (every leaf with `style=all_docs`, else the winner), on the
 * document the reader may see, one sandbox call per batch of changes. A missing design doc or
 * function is CouchDB's 404, before any row is sent.
 */
export function designFilter(ctx: Ctx, db: Database, filter: string, rawBody: string | undefined): RevFilter {
  const design = requireDesign(db);
  if (filter === '_view') {
    const view = ctx.q('view');
    if (view === null) throw badRequest('`view` filter parameter is not provided.');
    const [ddoc, name] = splitName(view, 'Invalid `view` parameter.');
    const fn = design.lookup(ddoc, ['views', name, 'map']);
    return byRevision(ctx, db, (docs) => design.mapFilter(fn, docs));
  }
  const [ddoc, name] = splitName(filter, 'filter parameter must be of the form `designname/filtername`');
  const fn: DesignFn = design.lookup(ddoc, ['filters', name]);
  const req = requestObject(ctx, db, rawBody);
  return byRevision(ctx, db, (docs) => design.filter(fn, docs, req));
}

function requireDesign(db: Database): NonNullable<Database['design']> {
  if (!db.design)
    throw new CouchHttpError(501, 'not_implemented', 'design-document filters are not available here');
  return db.design;
}

function splitName(v: string, reason: string): [string, string] {
  const i = v.indexOf('/');
  if (i <= 0 || i === v.length - 1) throw badRequest(reason);
  return [v.slice(0, i), v.slice(i + 1)];
}

function byRevision(ctx: Ctx, db: Database, run: (docs: string[]) => boolean[]): RevFilter {
  return (states, allDocs) => {
    const docs: string[] = [];
    const owners: Array<[number, string]> = [];
    states.forEach((state, i) => {
      const revs = allDocs ? leaves(state.tree).map((l) => l.rev) : [state.winner];
      for (const rev of revs) {
        const row = db.getRev(state.id, rev);
        if (!row) continue;
        docs.push(renderDoc(db, state, row, { viewer: ctx.user }));
        owners.push([i, rev]);
      }
    });
    const out: Array<string[] | undefined> = states.map(() => undefined);
    if (!docs.length) return out;
    const passes = run(docs);
    owners.forEach(([i, rev], k) => {
      if (!passes[k]) return;
      const list = out[i] ?? [];
      list.push(rev);
      out[i] = list;
    });
    return out;
  };
}

// never handed to design-doc code: a filter must not read the caller's credentials
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** The `req` a filter receives (couch_httpd_external:json_req_obj), without credentials. */
function requestObject(ctx: Ctx, db: Database, rawBody: string | undefined): string {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.req.headers))
    if (!SECRET_HEADERS.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of ctx.url.searchParams) query[k] = v;
  return JSON.stringify({
    info: {
      db_name: db.name,
      update_seq: db.seqs.encode(db.updateSeq),
      doc_count: db.docCount,
      doc_del_count: db.delCount,
      instance_start_time: db.instanceStartTime,
    },
    id: null,
    uuid: ctx.node.random.uuid(),
    method: ctx.method,
    requested_path: ctx.path,
    path: ctx.path,
    raw_path: ctx.url.pathname + ctx.url.search,
    query,
    headers,
    body: rawBody ?? 'undefined',
    peer: ctx.req.socket.remoteAddress ?? null,
    form: {},
    cookie: {},
    userCtx: { db: db.name, name: ctx.user.name, roles: ctx.user.roles },
    secObj: readSecurity(db),
  });
}
