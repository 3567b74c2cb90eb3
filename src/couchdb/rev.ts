/**
 * Revisions `N-id` as CouchDB 3.x parses and orders them.
 *
 * Rev-id bytes (what CouchDB compares): `couch_doc:parse_revid/1` turns a 32-hex-char id into its
 * 16 md5 bytes and keeps any other id as its UTF-8 bytes; binaries compare bytewise.
 */
const HEX32 = /^[0-9a-fA-F]{32}$/;

/**
 * A rev id (the part after `N-`) as CouchDB accepts it: 32 bytes must be hex (returned lowercase,
 * as CouchDB prints it back); any other non-empty string is kept as is. null when invalid.
 */
export function parseRevId(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0) return null;
  if (Buffer.byteLength(id) === 32) return HEX32.test(id) ? id.toLowerCase() : null;
  return id;
}

/** `N-hash` with N a positive integer written without sign or leading zeros. null when invalid. */
export function parseRev(rev: unknown): { pos: number; hash: string } | null {
  if (typeof rev !== 'string') return null;
  const dash = rev.indexOf('-');
  const posText = rev.slice(0, dash);
  if (dash <= 0 || !/^[1-9][0-9]*$/.test(posText)) return null;
  const pos = Number(posText);
  if (!Number.isSafeInteger(pos)) return null;
  const hash = parseRevId(rev.slice(dash + 1));
  return hash === null ? null : { pos, hash };
}

/** The bytes CouchDB compares for a rev id. */
export function revIdBytes(hash: string): Buffer {
  return HEX32.test(hash) ? Buffer.from(hash, 'hex') : Buffer.from(hash, 'utf8');
}

const ASCII = /^[ -~]*$/; // printable ASCII: string order is byte order

/** 32 lowercase hex chars (how stored md5 rev ids look), checked without a regex. */
function isLowerHex32(s: string): boolean {
  if (s.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

export function compareRevIds(a: string, b: string): number {
  if (a === b) return 0;
  // the usual case, two stored md5s: lowercase hex text order is byte order
  if (isLowerHex32(a) && isLowerHex32(b)) return a < b ? -1 : 1;
  // fast paths: two md5s (hex text order is byte order once lowercased), two ASCII non-md5 ids
  const hexA = HEX32.test(a);
  const hexB = HEX32.test(b);
  if (hexA && hexB) {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (!hexA && !hexB && ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(revIdBytes(a), revIdBytes(b));
}

/** Ascending (pos, rev-id bytes): Erlang term order of `{Pos, RevId}`, used by fabric's open_revs sort. */
export function compareRevs(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  const pa = Number(a.slice(0, da));
  const pb = Number(b.slice(0, db));
  return pa !== pb ? pa - pb : compareRevIds(a.slice(da + 1), b.slice(db + 1));
}
