/**
 * The multipart codec of the embedded node: pure functions over Buffers, no I/O.
 *
 * CouchDB (3.5.0, `couch_httpd_multipart` / `chttpd_db`) writes three framings, reproduced here:
 *
 * 1. `multipart/related` — `GET /db/doc?attachments=true` (Accept multipart/related or no Accept) and
 *    the replicator's `PUT /db/doc?new_edits=false`. No preamble, no CRLF after the close delimiter:
 *
 *        --B\r\nContent-Type: application/json\r\n\r\n{json}\r\n--B
 *        \r\nContent-Disposition: attachment; filename="name"\r\nContent-Type: t\r\nContent-Length: n
 *        [\r\nContent-Encoding: gzip]\r\n\r\n<n raw bytes>\r\n--B        (once per attachment)
 *        --
 *
 *    Header: `multipart/related; boundary="B"` (B = 32 hex). With no attachments to send CouchDB
 *    writes the JSON alone as `application/json`, and so does {@link buildMultipartRelated}.
 *
 * 2. `multipart/mixed` for `GET /db/doc?open_revs=…` (framing `'open_revs'`): no preamble, no
 *    trailing CRLF, one boundary per response for every nested related part:
 *
 *        --M\r\nContent-Type: multipart/related; boundary="R"\r\n\r\n<framing 1 over R>\r\n--M
 *        \r\nContent-Type: application/json\r\n\r\n{json}\r\n--M                 (doc without atts)
 *        \r\nContent-Type: application/json; error="true"\r\n\r\n{"missing":"rev"}\r\n--M
 *        --
 *
 * 3. `multipart/mixed` for `POST /db/_bulk_get` (framing `'bulk_get'`): the boundary itself starts
 *    with `--` (so delimiters read `----hex`), the body starts with CRLF, each part is
 *    `\r\n--M\r\nX-Doc-Id: id\r\nX-Rev-Id: rev\r\nContent-Type: multipart/related; boundary=--R\r\n\r\n…`
 *    (inner boundary unquoted, no X-* headers on attachment-less `application/json` parts), and the
 *    body ends `\r\n--M--\r\n`.
 *
 * The parsers accept all three (and any RFC 2046 body), find delimiters with `Buffer.indexOf`, and
 * return part bodies as views into the input Buffer (no copies). The builders throw `TypeError` (a
 * bug, not a client error) for an invalid boundary, a CR/LF in a header value or attachment name,
 * and part data that contains `CRLF--boundary` (CouchDB does not check; it relies on randomness).
 */
import { randomBytes } from 'node:crypto';
import { CouchHttpError } from '../engine/errors.ts';

/**
 * A malformed multipart body or Content-Type. `message` is the CouchDB `reason`; `status`/`error` are
 * 400 `bad_request`, except a first part that is not JSON: 415 `bad_content_type` (as CouchDB).
 */
export class MultipartError extends CouchHttpError {
  constructor(reason: string, status = 400, error = 'bad_request') {
    super(status, error, reason);
    this.name = 'MultipartError';
    this.message = reason;
  }
}

/** One body part: header names lower-cased (a repeated header keeps its last value). */
export interface MultipartPart {
  headers: Record<string, string>;
  /** A view into the parsed Buffer (shares its memory). */
  body: Buffer;
}

/** One attachment part of a multipart/related body. */
export interface RelatedPart {
  headers: Record<string, string>;
  /** A view into the parsed Buffer (shares its memory). */
  data: Buffer;
  /** From `Content-Disposition: attachment; filename="…"`, when present. */
  filename?: string;
}

export interface ParsedRelated {
  /** The first part: the document JSON bytes. */
  json: Buffer;
  /** Every later part, in order (CouchDB pairs them with the `follows: true` attachments in order). */
  parts: RelatedPart[];
}

export interface AttachmentOut {
  name: string;
  contentType: string;
  /** The bytes as sent: already gzip-compressed when `encoding` is `gzip`. */
  data: Buffer;
  /** `Content-Encoding` value; omitted or `identity` writes no header. */
  encoding?: string;
}

export interface MixedPartOut {
  contentType: string;
  body: Buffer;
  /** Extra headers, written in insertion order before `Content-Type` (e.g. X-Doc-Id, X-Rev-Id). */
  headers?: Record<string, string>;
}

export interface BuiltMultipart {
  /** The Content-Type header value for the HTTP response/request (or for the enclosing part). */
  contentType: string;
  body: Buffer;
}

export interface BuildRelatedOptions {
  /** `boundary="B"` (default, as everywhere but _bulk_get) or `boundary=B` (_bulk_get's nested parts). */
  quoteBoundary?: boolean;
}

export interface BuildMixedOptions {
  /** `'open_revs'` (default) or `'bulk_get'`: see the module comment. */
  framing?: 'open_revs' | 'bulk_get';
  /** Default `multipart/mixed`; _bulk_get answers `multipart/related` to Accept: multipart/related. */
  mediaType?: string;
}

// ---------------------------------------------------------------------------------------------------
// Content-Type

/** `type/subtype; a=1; b="x y"` -> lower-cased type and parameter names, unquoted values. */
export function parseMediaType(value: string): { type: string; params: Record<string, string> } {
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  let i = semi < 0 ? value.length : semi + 1;
  while (i < value.length) {
    const eq = value.indexOf('=', i);
    const nextSemi = value.indexOf(';', i);
    if (eq < 0 || (nextSemi >= 0 && nextSemi < eq)) {
      // a parameter without a value: skip it
      i = nextSemi < 0 ? value.length : nextSemi + 1;
      continue;
    }
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (j < value.length && (value[j] === ' ' || value[j] === '\t')) j++;
    let v: string;
    if (value[j] === '"') {
      let out = '';
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        out += value[j];
        j++;
      }
      v = out;
      const after = value.indexOf(';', j);
      i = after < 0 ? value.length : after + 1;
    } else {
      const end = value.indexOf(';', j);
      v = value.slice(j, end < 0 ? value.length : end).trim();
      i = end < 0 ? value.length : end + 1;
    }
    if (name) params[name] = v;
  }
  return { type, params };
}

/** The boundary of a `multipart/*` Content-Type (quoted or not); throws {@link MultipartError}. */
export function getBoundary(contentType: string): string {
  const { type, params } = parseMediaType(contentType);
  if (!type.startsWith('multipart/')) {
    throw new MultipartError(`Content-Type ${type || '(empty)'} is not multipart`);
  }
  const boundary = params.boundary;
  if (!boundary) throw new MultipartError('Multipart Content-Type has no boundary');
  return boundary;
}

/** A fresh random boundary: 32 lowercase hex, like `couch_uuids:random()`. */
export function newBoundary(): string {
  return randomBytes(16).toString('hex');
}

// ---------------------------------------------------------------------------------------------------
// Parsing

const CRLF = 0x0d0a;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

function isCrlfAt(buf: Buffer, i: number): boolean {
  return i + 1 < buf.length && buf.readUInt16BE(i) === CRLF;
}

/**
 * What follows `--boundary` at `i`: `'close'` (`--`), the offset just after the line end (optional
 * transport padding, then CRLF), or -1 when this is not a delimiter (data that merely contains it).
 */
function delimiterTail(buf: Buffer, i: number): number | 'close' {
  if (i + 1 < buf.length && buf[i] === 0x2d && buf[i + 1] === 0x2d) return 'close';
  let j = i;
  while (j < buf.length && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
  return isCrlfAt(buf, j) ? j + 2 : -1;
}

function parseHeaderBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers[last] = `${headers[last]} ${line.trim()}`; // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('bad part header');
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Splits a multipart body on `boundary`. A preamble before the first delimiter and an epilogue after
 * the close delimiter are ignored; a part may have no headers (`--B\r\n\r\nbytes`).
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);

  // First delimiter: at offset 0 without the CRLF, else after a preamble.
  let next: number | 'close' = -1;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    next = delimiterTail(body, dashBoundary.length);
  }
  let from = 0;
  while (next === -1) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) throw new MultipartError('Multipart body has no boundary delimiter');
    next = delimiterTail(body, at + delimiter.length);
    from = at + 1;
  }

  const parts: MultipartPart[] = [];
  let pos = next;
  while (pos !== 'close') {
    // headers
    let headers: Record<string, string> = {};
    let bodyStart: number;
    if (isCrlfAt(body, pos)) {
      bodyStart = pos + 2;
    } else {
      const end = body.indexOf(CRLF_CRLF, pos);
      if (end < 0) throw new MultipartError('Multipart part headers are not terminated');
      headers = parseHeaderBlock(body.toString('utf8', pos, end));
      bodyStart = end + 4;
    }
    // body: up to the next real delimiter
    let search = bodyStart;
    let tail: number | 'close' = -1;
    let at = -1;
    while (tail === -1) {
      at = body.indexOf(delimiter, search);
      if (at < 0) throw new MultipartError('Multipart body is missing its closing delimiter');
      tail = delimiterTail(body, at + delimiter.length);
      search = at + 1;
    }
    parts.push({ headers, body: body.subarray(bodyStart, at) });
    pos = tail;
  }
  return parts;
}

/** Parses a `multipart/mixed` body (open_revs, _bulk_get): parts with their headers and bodies. */
export function parseMultipartMixed(body: Buffer, contentType: string): MultipartPart[] {
  return parseMultipart(body, getBoundary(contentType));
}

/**
 * The `filename` of a Content-Disposition value. CouchDB writes the name raw between quotes (no
 * escaping), so a quoted value ends at the first `"` followed by `;` or the end; `filename*=` (RFC
 * 5987) wins when present.
 */
export function dispositionFilename(value: string): string | undefined {
  const star = /;\s*filename\*\s*=\s*([^']*)'[^']*'([^;\s]*)/i.exec(value);
  if (star?.[2] !== undefined) {
    try {
      return decodeURIComponent(star[2]);
    } catch {
      // fall through to the plain parameter
    }
  }
  const m = /;\s*filename\s*=\s*/i.exec(value);
  if (!m) return undefined;
  const start = m.index + m[0].length;
  if (value[start] !== '"') {
    const end = value.indexOf(';', start);
    return value.slice(start, end < 0 ? value.length : end).trim();
  }
  for (let q = value.indexOf('"', start + 1); q >= 0; q = value.indexOf('"', q + 1)) {
    const rest = value.slice(q + 1).trimStart();
    if (rest === '' || rest[0] === ';') return value.slice(start + 1, q);
  }
  return value.slice(start + 1);
}

/**
 * Parses a `multipart/related` document body: the JSON part, then the attachment parts in order.
 * A first part without headers is accepted (CouchDB itself would answer 415); one whose Content-Type
 * is not application/json throws 415 `bad_content_type`.
 */
export function parseMultipartRelated(body: Buffer, contentType: string): ParsedRelated {
  const all = parseMultipart(body, getBoundary(contentType));
  const first = all[0];
  if (first === undefined) throw new MultipartError('Multipart body has no JSON document part');
  const ct = first.headers['content-type'];
  if (ct !== undefined && parseMediaType(ct).type !== 'application/json') {
    throw new MultipartError('Content-Type must be application/json', 415, 'bad_content_type');
  }
  const parts: RelatedPart[] = [];
  for (let i = 1; i < all.length; i++) {
    const p = all[i] as MultipartPart;
    const part: RelatedPart = { headers: p.headers, data: p.body };
    const disposition = p.headers['content-disposition'];
    const filename = disposition === undefined ? undefined : dispositionFilename(disposition);
    if (filename !== undefined) part.filename = filename;
    parts.push(part);
  }
  return { json: first.body, parts };
}

// ---------------------------------------------------------------------------------------------------
// Building

// RFC 2046 bchars: 1..70 characters, not ending in a space.
const BOUNDARY_RE = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function checkBoundary(boundary: string): void {
  if (!BOUNDARY_RE.test(boundary))
    throw new TypeError(`Invalid multipart boundary: ${JSON.stringify(boundary)}`);
}

function checkHeaderText(what: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw new TypeError(`Multipart ${what} contains a line break: ${JSON.stringify(value)}`);
  }
}

/** A part body that contains `CRLF--boundary` would end the part early: refuse to write it. */
function checkData(what: string, data: Buffer, delimiter: Buffer): void {
  if (data.indexOf(delimiter) >= 0) throw new TypeError(`Multipart ${what} contains the boundary delimiter`);
}

function concat(chunks: Array<Buffer | string>): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/**
 * A document with attachments as CouchDB writes it (framing 1). With no attachments the result is
 * the JSON alone with `application/json`, as `couch_httpd_multipart:encode_multipart_stream` does.
 */
export function buildMultipartRelated(
  json: string | Buffer,
  atts: AttachmentOut[],
  boundary: string = newBoundary(),
  options: BuildRelatedOptions = {},
): BuiltMultipart {
  const jsonBytes = typeof json === 'string' ? Buffer.from(json) : json;
  if (atts.length === 0) return { contentType: 'application/json', body: jsonBytes };
  checkBoundary(boundary);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  checkData('JSON part', jsonBytes, delimiter);
  const chunks: Array<Buffer | string> = [
    `--${boundary}\r\nContent-Type: application/json\r\n\r\n`,
    jsonBytes,
    `\r\n--${boundary}`,
  ];
  for (const att of atts) {
    checkHeaderText('attachment name', att.name);
    checkHeaderText('attachment content type', att.contentType);
    checkData(`attachment ${att.name}`, att.data, delimiter);
    let head =
      `\r\nContent-Disposition: attachment; filename="${att.name}"` +
      `\r\nContent-Type: ${att.contentType}` +
      `\r\nContent-Length: ${att.data.length}`;
    if (att.encoding !== undefined && att.encoding !== 'identity') {
      checkHeaderText('attachment encoding', att.encoding);
      head += `\r\nContent-Encoding: ${att.encoding}`;
    }
    chunks.push(`${head}\r\n\r\n`, att.data, `\r\n--${boundary}`);
  }
  chunks.push('--');
  const quoted = options.quoteBoundary === false ? boundary : `"${boundary}"`;
  return { contentType: `multipart/related; boundary=${quoted}`, body: concat(chunks) };
}

function partHead(part: MixedPartOut): string {
  let head = '';
  for (const [name, value] of Object.entries(part.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') {
      throw new TypeError('Give a part Content-Type as contentType, not in headers');
    }
    checkHeaderText('header name', name);
    checkHeaderText(`header ${name}`, value);
    head += `${name}: ${value}\r\n`;
  }
  checkHeaderText('part content type', part.contentType);
  return `${head}Content-Type: ${part.contentType}\r\n\r\n`;
}

/**
 * A `multipart/mixed` body as CouchDB writes it for open_revs (default) or _bulk_get
 * (`{ framing: 'bulk_get' }`, whose default boundary is `--` + 32 hex). Part bodies are written
 * verbatim: pass nested multipart/related parts from {@link buildMultipartRelated}.
 */
export function buildMultipartMixed(
  parts: MixedPartOut[],
  boundary?: string,
  options: BuildMixedOptions = {},
): BuiltMultipart {
  const bulkGet = options.framing === 'bulk_get';
  const b = boundary ?? (bulkGet ? `--${newBoundary()}` : newBoundary());
  checkBoundary(b);
  const delimiter = Buffer.from(`\r\n--${b}`);
  for (const [i, part] of parts.entries()) checkData(`part ${i}`, part.body, delimiter);
  const chunks: Array<Buffer | string> = [];
  if (bulkGet) {
    for (const part of parts) chunks.push(`\r\n--${b}\r\n${partHead(part)}`, part.body);
    chunks.push(`\r\n--${b}--\r\n`);
  } else {
    chunks.push(`--${b}`);
    for (const part of parts) chunks.push(`\r\n${partHead(part)}`, part.body, `\r\n--${b}`);
    chunks.push('--');
  }
  return { contentType: `${options.mediaType ?? 'multipart/mixed'}; boundary="${b}"`, body: concat(chunks) };
}
