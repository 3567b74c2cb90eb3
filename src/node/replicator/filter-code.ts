import type { Peer } from './peer.ts';
import type { RepSpec } from './rep-doc.ts';

/** A design-doc filter (`ddoc/name`), as opposed to the builtin `_doc_ids`, `_selector`, `_view`. */
export function isJsFilter(spec: RepSpec): boolean {
  return spec.filter !== undefined && !spec.filter.startsWith('_');
}

/**
 * couch_replicator_filters:fetch: the filter's source code, read from the source database. Its
 * code (not its name) is part of the replication id, so a changed filter starts a new checkpoint
 * lineage and re-scans, as CouchDB does; while the fetch fails the doc waits in state `error`.
 */
export async function fetchFilterCode(source: Peer, filter: string): Promise<string> {
  const i = filter.indexOf('/');
  const ddoc = filter.slice(0, i);
  const name = filter.slice(i + 1);
  if (i <= 0 || !name) throw new Error(`Invalid filter. Must match \`ddocname/filtername\`: ${filter}`);
  const r = await source.json<{ filters?: Record<string, unknown>; reason?: string }>(
    'GET',
    `_design/${encodeURIComponent(ddoc)}`,
  );
  if (r.status !== 200)
    throw new Error(
      `\`${filter}\`: couldn't open document \`_design/${ddoc}\` from source database \`${source.url}\`: ${r.body?.reason ?? r.status}`,
    );
  const code = r.body?.filters?.[name];
  if (typeof code !== 'string')
    throw new Error(
      `\`${filter}\`: no function \`${name}\` in filters of \`_design/${ddoc}\` of \`${source.url}\``,
    );
  return code;
}
