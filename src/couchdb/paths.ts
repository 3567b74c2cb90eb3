/**
 * Document and database paths as CouchDB routes them (chttpd): a database name is one path segment,
 * so every `/` in it is encoded (`a/b` -> `a%2Fb`); `_design/` and `_local/` doc ids keep their
 * prefix slash (chttpd_db matches `[DbName, <<"_design">>, Name | _]`) and the rest of the id is one
 * encoded segment; attachment names may hold `/` and keep it (the rest of the path is the name).
 */

/** `id` as the doc part of a URL path (no leading slash). */
export function docIdPath(id: string): string {
  const m = /^(_design|_local)\/(.+)$/.exec(id);
  return m ? `${m[1]}/${encodeURIComponent(m[2] as string)}` : encodeURIComponent(id);
}

/** `/db` with the name encoded. */
export function dbPath(db: string): string {
  return `/${encodeURIComponent(db)}`;
}

/** `/db/id[/attachment]`, each part encoded as CouchDB expects it. */
export function docPath(db: string, id: string, attachment?: string): string {
  const att = attachment === undefined ? '' : `/${attachment.split('/').map(encodeURIComponent).join('/')}`;
  return `${dbPath(db)}/${docIdPath(id)}${att}`;
}
