import * as crypto from 'node:crypto';
import { parseRev } from '../couchdb/rev.ts';
import { computeRevId, revIdTermBytes } from '../couchdb/revid.ts';
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
  const p = parseRev(rev);
  if (!p) throw new TypeError(`invalid rev ${rev}`);
  if (!HEX32.test(p.hash)) return predictRev(rev, '{}', { deleted: true });
  // Every tombstone hashes the same term but for the parent's position and its 16 rev id bytes: the
  // bytes of one position are encoded once, then only the rev id is patched in (one loser each).
  let t = tombstoneTerms.get(p.pos);
  if (!t) {
    const bytes = revIdTermBytes({ deleted: true, parentPos: p.pos, parentRevId: ZERO32, bodyText: '{}' });
    t = { bytes, at: bytes.indexOf(REVID_HEADER) + REVID_HEADER.length };
    if (tombstoneTerms.size >= 256) tombstoneTerms.clear();
    tombstoneTerms.set(p.pos, t);
  }
  t.bytes.write(p.hash, t.at, 'hex');
  return `${p.pos + 1}-${md5Hex(t.bytes)}`;
}

// crypto.hash (one-shot, no Hash object) exists from Node 20.12: the Hash object costs more than the md5
const md5Hex: (bytes: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (bytes) => crypto.hash('md5', bytes, 'hex')
    : (bytes) => crypto.createHash('md5').update(bytes).digest('hex');
const HEX32 = /^[0-9a-f]{32}$/;
const ZERO32 = '0'.repeat(32);
/** BINARY_EXT (109) of 16 bytes: where a 32-hex parent rev id sits in the term. */
const REVID_HEADER = Buffer.from([109, 0, 0, 0, 16]);
const tombstoneTerms = new Map<number, { bytes: Buffer; at: number }>();
