import { parseRev } from '../couchdb/rev.ts';
import { computeRevId } from '../couchdb/revid.ts';
import type { AttachmentStubs } from './leaf.ts';

/**
 * The revision CouchDB gives an interactive edit (couch_db:new_revid): md5 over the deleted flag, the
 * parent, the body text without `_` fields and the attachments' md5 digests. Used to name a resolution
 * before it is written (the audit comes first) and to recognise our own writes in `_changes`.
 */
export function predictRev(
  parentRev: string,
  bodyText: string,
  opts: { deleted?: boolean; attachments?: AttachmentStubs } = {},
): string {
  const p = parseRev(parentRev);
  if (!p) throw new TypeError(`invalid rev ${parentRev}`);
  const atts = Object.entries(opts.attachments ?? {}).map(([name, a]) => {
    const digest = typeof a.digest === 'string' ? a.digest : '';
    return {
      name,
      type: typeof a.content_type === 'string' ? a.content_type : 'application/octet-stream',
      md5: digest.startsWith('md5-') ? Buffer.from(digest.slice(4), 'base64') : Buffer.alloc(16),
    };
  });
  const hash = computeRevId({
    deleted: !!opts.deleted,
    parentPos: p.pos,
    parentRevId: p.hash,
    bodyText,
    atts,
  });
  return `${p.pos + 1}-${hash}`;
}

/** The tombstone `{_id, _rev, _deleted:true}` written on `rev`: the same id on every node. */
export function tombstoneRev(rev: string): string {
  return predictRev(rev, '{}', { deleted: true });
}
