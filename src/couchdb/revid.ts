/**
 * CouchDB 2.x/3.x revision ids, byte-for-byte as `couch_db:new_revid/1` computes them:
 *
 * ```erlang
 * RevId = md5(term_to_binary([Deleted, OldStart, OldRev, Body, Atts2], [{minor_version, 1}]))
 * ```
 *
 * - `Deleted`: the atom `true` / `false`, encoded as ATOM_EXT (tag 100, 2-byte length, Latin-1),
 *   which is what `term_to_binary` with `{minor_version, 1}` emits for Latin-1 atoms (checked against
 *   vectors captured from CouchDB 3.5.0).
 * - `OldStart`: the parent rev position, 0 for a new doc.
 * - `OldRev`: the parent rev id as `couch_doc:parse_revid/1` returns it (32 hex chars -> 16 bytes,
 *   anything else -> its UTF-8 bytes), or the integer 0 for a new doc.
 * - `Body`: the document as jiffy decodes it, without its top-level `_` fields: `{[{K, V}, ...]}`,
 *   lists (STRING_EXT when every element is an integer 0..255, as term_to_binary does), UTF-8
 *   binaries, integers (SMALL_INTEGER_EXT / INTEGER_EXT / SMALL_BIG_EXT / LARGE_BIG_EXT),
 *   floats for any number with a fraction or an exponent (NEW_FLOAT_EXT), atoms true/false/null.
 * - `Atts2`: `[{Name, Type, Md5}]`. CouchDB builds it with a `lists:foldl` that prepends, so it is the
 *   doc's attachment list **reversed**; {@link computeRevId} takes the attachments in document order and
 *   does the reversal itself.
 *
 * Note on attachment md5s: CouchDB stores compressible types (text/*, application/json, ...) gzipped
 * and the md5 it keeps (the `digest` it reports) is the md5 of the gzip stream, not of the content.
 */
import * as crypto from 'node:crypto';
import { type JsonNode, scanJson } from './json-scan.ts';
import { SERVER_WRITTEN_REPLICATION_FIELD_SET } from './replicator-fields.ts';

export interface RevIdInput {
  /** The `_deleted` flag of the new revision. */
  deleted: boolean;
  /** Position of the parent revision (the N of `N-hash`), 0 for a new doc. */
  parentPos: number;
  /** The parent rev id without its `N-` prefix, or null for a new doc. */
  parentRevId: string | null;
  /** JSON text of the whole document object as sent; top-level `_` fields are skipped. */
  bodyText: string;
  /** `scanJson(bodyText)`, when the caller already has it. */
  bodyNode?: JsonNode;
  /** The doc's attachments in `_attachments` order; `md5` is the 16-byte digest CouchDB keeps. */
  atts?: Array<{ name: string; type: string; md5: Buffer }>;
}

// External term format tags.
const VERSION_MAGIC = 131;
const NEW_FLOAT_EXT = 70;
const SMALL_INTEGER_EXT = 97;
const INTEGER_EXT = 98;
const ATOM_EXT = 100;
const SMALL_TUPLE_EXT = 104;
const NIL_EXT = 106;
const STRING_EXT = 107;
const LIST_EXT = 108;
const BINARY_EXT = 109;
const SMALL_BIG_EXT = 110;
const LARGE_BIG_EXT = 111;

const CH_UNDERSCORE = 95;

/**
 * Top-level `_` members that CouchDB keeps in the body (couch_doc:transfer_fields: the replicator's
 * state fields), and so hashes into the rev id. Every other `_` member is metadata, not body.
 */
export const BODY_UNDERSCORE_FIELDS: ReadonlySet<string> = SERVER_WRITTEN_REPLICATION_FIELD_SET;

// crypto.hash (one-shot, no Hash object) exists from Node 20.12; fall back to createHash before that.
const md5Hex: (bytes: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (bytes) => crypto.hash('md5', bytes, 'hex')
    : (bytes) => crypto.createHash('md5').update(bytes).digest('hex');

// One growable output buffer reused across calls (computeRevId is synchronous, never re-entered).
// After an unusually large document it is dropped back to the initial size.
const INITIAL_SIZE = 16 * 1024;
const MAX_KEPT_SIZE = 1024 * 1024;
let buf = Buffer.allocUnsafe(INITIAL_SIZE);
let len = 0;
let text = '';

/** The 32-hex-char rev id hash (without the `N-` prefix) CouchDB would give this edit. */
export function computeRevId(input: RevIdInput): string {
  encodeTerm(input);
  const hex = md5Hex(buf.subarray(0, len));
  if (buf.length > MAX_KEPT_SIZE) buf = Buffer.allocUnsafe(INITIAL_SIZE);
  return hex;
}

/** The `term_to_binary(..., [{minor_version, 1}])` bytes that {@link computeRevId} hashes (a fresh copy). */
export function revIdTermBytes(input: RevIdInput): Buffer {
  encodeTerm(input);
  const bytes = Buffer.from(buf.subarray(0, len));
  if (buf.length > MAX_KEPT_SIZE) buf = Buffer.allocUnsafe(INITIAL_SIZE);
  return bytes;
}

/** Writes the term into `buf[0, len)`. */
function encodeTerm(input: RevIdInput): void {
  const root = input.bodyNode ?? scanJson(input.bodyText);
  if (root.t !== 'obj') throw new TypeError('document body must be a JSON object');
  text = input.bodyText;
  len = 0;
  try {
    putByte(VERSION_MAGIC);
    putListHeader(5);
    putAtom(input.deleted ? 'true' : 'false');
    putInteger(input.parentPos);
    if (input.parentRevId === null) putInteger(0);
    else putRevIdBinary(input.parentRevId);
    putBody(root);
    const atts = input.atts;
    if (atts === undefined || atts.length === 0) {
      putByte(NIL_EXT);
    } else {
      putListHeader(atts.length);
      for (let i = atts.length - 1; i >= 0; i--) {
        const att = atts[i]!;
        if (att.md5.length !== 16) throw new RangeError(`attachment ${att.name}: md5 must be 16 bytes`);
        putByte(SMALL_TUPLE_EXT);
        putByte(3);
        putStringBinary(att.name);
        putStringBinary(att.type);
        putBytesBinary(att.md5);
      }
      putByte(NIL_EXT);
    }
    putByte(NIL_EXT); // tail of the outer list
  } finally {
    text = '';
  }
}

function ensure(extra: number): void {
  const need = len + extra;
  if (need <= buf.length) return;
  let size = buf.length * 2;
  while (size < need) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, len);
  buf = next;
}

function putByte(b: number): void {
  ensure(1);
  buf[len++] = b;
}

/** LIST_EXT header; the caller writes the elements and the NIL_EXT tail. */
function putListHeader(count: number): void {
  ensure(5);
  buf[len++] = LIST_EXT;
  buf.writeUInt32BE(count, len);
  len += 4;
}

function putAtom(name: string): void {
  ensure(3 + name.length);
  buf[len++] = ATOM_EXT;
  buf.writeUInt16BE(name.length, len);
  len += 2;
  len += buf.write(name, len, 'latin1');
}

function putBytesBinary(bytes: Buffer): void {
  ensure(5 + bytes.length);
  buf[len++] = BINARY_EXT;
  buf.writeUInt32BE(bytes.length, len);
  len += 4;
  len += bytes.copy(buf, len);
}

/** BINARY_EXT of the UTF-8 bytes of `s` (lone surrogates become U+FFFD). */
function putStringBinary(s: string): void {
  const n = s.length;
  ensure(5 + 3 * n); // a UTF-16 code unit never takes more than 3 UTF-8 bytes
  buf[len] = BINARY_EXT;
  const lenAt = len + 1;
  let p = len + 5;
  let i = 0;
  if (n < 64) {
    // Short strings: an ASCII loop beats the native call.
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
  }
  if (i < n) p += buf.write(i === 0 ? s : s.slice(i), p, 'utf8');
  buf.writeUInt32BE(p - len - 5, lenAt);
  len = p;
}

/** `couch_doc:parse_revid/1`: 32 hex chars -> the 16 bytes they spell, anything else -> its UTF-8 bytes. */
function putRevIdBinary(rev: string): void {
  if (rev.length === 32 && isHex(rev)) {
    ensure(21);
    buf[len++] = BINARY_EXT;
    buf.writeUInt32BE(16, len);
    len += 4;
    len += buf.write(rev, len, 'hex');
  } else {
    putStringBinary(rev);
  }
}

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
  }
  return true;
}

/** An integer given as a JS number (rev positions; callers keep them safe integers). */
function putInteger(n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  if (n >= 0 && n <= 255) {
    ensure(2);
    buf[len++] = SMALL_INTEGER_EXT;
    buf[len++] = n;
  } else if (n >= -0x80000000 && n <= 0x7fffffff) {
    ensure(5);
    buf[len++] = INTEGER_EXT;
    buf.writeInt32BE(n, len);
    len += 4;
  } else {
    putBigFromNumber(n);
  }
}

/** SMALL_BIG_EXT for |n| in [2^31, 2^53]: little-endian magnitude bytes, no leading zeros. */
function putBigFromNumber(n: number): void {
  let mag = n < 0 ? -n : n;
  ensure(3 + 8);
  buf[len++] = SMALL_BIG_EXT;
  const countAt = len++;
  buf[len++] = n < 0 ? 1 : 0;
  let count = 0;
  while (mag > 0) {
    buf[len++] = mag % 256;
    mag = Math.floor(mag / 256);
    count++;
  }
  buf[countAt] = count;
}

function putBigFromBigInt(n: bigint): void {
  let mag = n < 0n ? -n : n;
  const hexDigits = mag.toString(16).length;
  const count = (hexDigits + 1) >> 1;
  ensure(6 + count);
  if (count <= 255) {
    buf[len++] = SMALL_BIG_EXT;
    buf[len++] = count;
  } else {
    buf[len++] = LARGE_BIG_EXT;
    buf.writeUInt32BE(count, len);
    len += 4;
  }
  buf[len++] = n < 0n ? 1 : 0;
  for (let i = 0; i < count; i++) {
    buf[len++] = Number(mag & 0xffn);
    mag >>= 8n;
  }
}

/** A number node: integer lexemes become Erlang integers, anything with `.`/`e`/`E` a float (as jiffy). */
function putNumber(s: number, e: number): void {
  let isInt = true;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) {
      isInt = false;
      break;
    }
  }
  if (!isInt) {
    const f = Number(text.slice(s, e));
    // jiffy cannot make a term of an out-of-range double, and CouchDB rejects the document.
    if (!Number.isFinite(f)) throw new RangeError(`number out of range: ${text.slice(s, e)}`);
    ensure(9);
    buf[len++] = NEW_FLOAT_EXT;
    buf.writeDoubleBE(f, len);
    len += 8;
    return;
  }
  const digits = e - s - (text.charCodeAt(s) === 45 ? 1 : 0);
  if (digits <= 15) {
    // Below 10^15 < 2^53: exact as a double. `-0` is the integer 0.
    let n = 0;
    const neg = text.charCodeAt(s) === 45;
    for (let i = neg ? s + 1 : s; i < e; i++) n = n * 10 + (text.charCodeAt(i) - 48);
    putInteger(neg ? -n : n);
  } else {
    const big = BigInt(text.slice(s, e));
    if (big >= -0x80000000n && big <= 0x7fffffffn) putInteger(Number(big));
    else putBigFromBigInt(big);
  }
}

/**
 * term_to_binary writes a list whose elements are all integers 0..255 as STRING_EXT (tag 107, 2-byte
 * length, one byte per element) when it has at most 65535 elements. Returns false, having written
 * nothing, when `items` is not such a list.
 */
function putByteList(items: JsonNode[]): boolean {
  const n = items.length;
  ensure(3 + n);
  let p = len + 3;
  for (let i = 0; i < n; i++) {
    const b = byteValue(items[i]!);
    if (b < 0) return false;
    buf[p++] = b;
  }
  buf[len] = STRING_EXT;
  buf.writeUInt16BE(n, len + 1);
  len = p;
  return true;
}

/** The value of an integer number node in 0..255 (`-0` is 0), else -1. */
function byteValue(node: JsonNode): number {
  if (node.t !== 'num') return -1;
  let i = node.s;
  const e = node.e;
  if (text.charCodeAt(i) === 45) {
    // Only `-0` is a negative-signed lexeme with value in range.
    return e - i === 2 && text.charCodeAt(i + 1) === 48 ? 0 : -1;
  }
  if (e - i > 3) return -1;
  let n = 0;
  for (; i < e; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1; // `.`, `e`, `E`: a float
    n = n * 10 + d;
  }
  return n <= 255 ? n : -1;
}

/** The top-level document: `{[{K, V}, ...]}` without the `_`-prefixed members. */
function putBody(node: Extract<JsonNode, { t: 'obj' }>): void {
  putByte(SMALL_TUPLE_EXT);
  putByte(1);
  const entries = node.entries;
  ensure(5);
  const headerAt = len;
  let count = 0;
  len += 5;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const key = entry[0];
    if (key.length > 0 && key.charCodeAt(0) === CH_UNDERSCORE && !BODY_UNDERSCORE_FIELDS.has(key)) continue;
    putPair(key, entry[1]);
    count++;
  }
  finishList(headerAt, count);
}

/** Back-patches a list header reserved at `headerAt`: LIST_EXT + count + tail, or a bare NIL_EXT. */
function finishList(headerAt: number, count: number): void {
  if (count === 0) {
    // Nothing was written after the 5 reserved bytes: shrink them to NIL_EXT.
    buf[headerAt] = NIL_EXT;
    len = headerAt + 1;
    return;
  }
  buf[headerAt] = LIST_EXT;
  buf.writeUInt32BE(count, headerAt + 1);
  putByte(NIL_EXT);
}

function putPair(key: string, value: JsonNode): void {
  ensure(2);
  buf[len++] = SMALL_TUPLE_EXT;
  buf[len++] = 2;
  putStringBinary(key);
  putValue(value);
}

function putValue(node: JsonNode): void {
  switch (node.t) {
    case 'str':
      putStringBinary(node.value);
      return;
    case 'num':
      putNumber(node.s, node.e);
      return;
    case 'true':
    case 'false':
    case 'null':
      putAtom(node.t);
      return;
    case 'arr': {
      const items = node.items;
      if (items.length === 0) {
        putByte(NIL_EXT);
        return;
      }
      if (items.length <= 0xffff && putByteList(items)) return;
      putListHeader(items.length);
      for (let i = 0; i < items.length; i++) putValue(items[i]!);
      putByte(NIL_EXT);
      return;
    }
    case 'obj': {
      const entries = node.entries;
      ensure(7);
      buf[len++] = SMALL_TUPLE_EXT;
      buf[len++] = 1;
      if (entries.length === 0) {
        buf[len++] = NIL_EXT;
        return;
      }
      putListHeader(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        putPair(entry[0], entry[1]);
      }
      putByte(NIL_EXT);
      return;
    }
  }
}
