import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gzip } from 'pako';
import type { DbStore } from '../store/db-store.ts';
import type { AttIn } from './doc-parse.ts';
import { badRequest, CouchHttpError } from './errors.ts';

/** What a revision records about one attachment (the stub CouchDB returns). */
export interface AttMeta {
  content_type: string;
  revpos: number;
  digest: string;
  length: number;
  /** set when the bytes are stored encoded (as received from a CouchDB that gzips compressible types) */
  encoding?: string;
  encoded_length?: number;
  /**
   * Where the bytes are stored when that is not `digest`: the md5 of the bytes actually stored. A
   * replicated attachment keeps its sender's digest (rev ids hash it), which may be the digest of
   * another form of the bytes (PouchDB sends CouchDB's gzip digest with identity bytes).
   */
  key?: string;
}
export type AttList = Array<[string, AttMeta]>;

export const md5Digest = (data: Buffer) => `md5-${createHash('md5').update(data).digest('base64')}`;
/** The stored bytes of an attachment (encoded as `a.encoding` says); a missing blob is an error. */
export function storedAttBytes(store: DbStore, a: AttMeta): Buffer {
  const raw = store.getAtt(a.key ?? a.digest);
  // never empty bytes in place of the content: that would be served (and replicated) as the data
  if (!raw)
    throw new CouchHttpError(
      500,
      'attachment_missing',
      `The bytes of attachment ${a.digest} are missing from the store`,
    );
  return raw;
}

/** The attachment's content (decoded when stored gzip). */
export function readAttData(store: DbStore, a: AttMeta): Buffer {
  const raw = storedAttBytes(store, a);
  return a.encoding === 'gzip' ? gunzipSync(raw) : raw;
}

// [attachments] compressible_types (CouchDB default.ini)
const COMPRESSIBLE = [
  /^text\//i,
  /^application\/javascript\b/i,
  /^application\/json\b/i,
  /^application\/xml\b/i,
];
export const isCompressible = (type: string | undefined) =>
  !!type && COMPRESSIBLE.some((re) => re.test(type));

export const digestBytes = (digest: string) => Buffer.from(digest.replace(/^md5-/, ''), 'base64');

/** Attachment bytes that arrived outside the JSON (multipart/related `follows`, standalone PUT). */
export interface FollowedAtt {
  data: Buffer;
  encoding?: string;
}

const missingStub = (name: string) =>
  new CouchHttpError(412, 'missing_stub', `Invalid attachment stub in ${name}`);

/** A replicated stub whose bytes we hold under its digest (maybe from another doc): their form too. */
function stubMeta(store: DbStore, a: AttIn, digest: string, key: string, newPos: number): AttMeta {
  const raw = store.getAtt(key) as Buffer;
  const type = a.content_type ?? 'application/octet-stream';
  const meta: AttMeta = {
    content_type: type,
    revpos: a.revpos ?? newPos,
    digest,
    length: a.length ?? raw.length,
  };
  if (key !== digest) meta.key = key;
  // a compressible type's bytes in gzip form are its encoded form (as an interactive PUT stores it)
  if (isCompressible(type) && raw[0] === 0x1f && raw[1] === 0x8b) {
    meta.encoding = 'gzip';
    meta.encoded_length = raw.length;
    meta.length = a.length ?? gunzipSync(raw).length;
  }
  return meta;
}

/**
 * Resolves a doc's `_attachments` into the stored form, writing new bytes to the store.
 * Stubs take their metadata from the parent revision (interactive edits) or from any stored copy
 * with the same digest (replicated revisions, whose ancestors we may never have seen).
 */
export function resolveAttachments(
  store: DbStore,
  docName: string,
  input: Array<[string, AttIn]> | undefined,
  parent: AttList | undefined,
  newPos: number,
  followed: Map<string, FollowedAtt> | undefined,
  replicated: boolean,
): AttList {
  if (!input) return [];
  const out: AttList = [];
  for (const [name, a] of input) {
    // names and types end up in HTTP headers (raw GET, multipart): refuse what would break them
    if (/[\r\n]/.test(name) || /[\r\n]/.test(a.content_type ?? ''))
      throw badRequest(
        `Attachment name and content type must not contain line breaks (${JSON.stringify(name)})`,
      );
    if (name.startsWith('_')) throw badRequest('Attachment name must not start with an underscore');
    if (a.stub) {
      const prev = parent?.find(([n]) => n === name)?.[1];
      if (prev && (!a.digest || a.digest === prev.digest)) out.push([name, { ...prev }]);
      else if (a.digest && store.findAtt(a.digest))
        out.push([name, stubMeta(store, a, a.digest, store.findAtt(a.digest) as string, newPos)]);
      else throw missingStub(docName);
      continue;
    }
    let data: Buffer;
    let encoding = a.encoding;
    let identityLength: number | undefined;
    if (a.follows) {
      const f = followed?.get(name);
      if (!f) throw badRequest(`Attachment ${name} declared follows but no data arrived`);
      data = f.data;
      encoding = f.encoding ?? encoding;
    } else if (typeof a.data === 'string') {
      data = Buffer.from(a.data, 'base64');
      if (a.data.length > 0 && data.length === 0) throw badRequest('Invalid attachment data');
    } else throw badRequest(`Invalid attachment stub in ${docName} for ${name}`);
    if (!encoding && !replicated && isCompressible(a.content_type)) {
      // CouchDB stores compressible types gzipped (level 8) and its digest is the md5 of those
      // bytes; pako reproduces zlib's output exactly (node's zlib build does not), so the digests
      // and the rev ids that hash them match a real CouchDB's.
      identityLength = data.length;
      data = Buffer.from(gzip(data, { level: 8 }));
      encoding = 'gzip';
    }
    // Bytes are stored as received: CouchDB's digest of a gzip-stored attachment is the md5 of
    // the gzip stream, so re-encoding would break digests (and the rev ids that hash them).
    let length = data.length;
    if (encoding === 'gzip') {
      try {
        // always decoded once: bytes that claim gzip but are not would break every later read
        const decoded = identityLength ?? gunzipSync(data).length;
        length = identityLength ?? a.length ?? decoded;
      } catch {
        throw badRequest(`Attachment ${name} is not valid gzip data`);
      }
    } else if (encoding && encoding !== 'identity')
      throw badRequest(`Unsupported attachment encoding ${encoding}`);
    // digest: keep the sender's when replicating (rev ids hash it), else compute it. The bytes are
    // stored under the md5 of what is stored, never under a digest of another form of them: equal
    // keys then always mean equal bytes, whatever order identity and gzip forms arrive in
    const key = md5Digest(data);
    if (encoding === 'gzip' && replicated && a.digest && a.digest !== key)
      throw badRequest(
        `Attachment ${name}: its gzip bytes do not match digest ${a.digest} (content_md5_mismatch)`,
      );
    const digest = replicated && a.digest ? a.digest : key;
    store.putAtt(key, data);
    store.indexAtt(digest, key);
    const meta: AttMeta = {
      content_type: a.content_type ?? 'application/octet-stream',
      revpos: replicated && a.revpos ? a.revpos : newPos,
      digest,
      length,
    };
    if (key !== digest) meta.key = key;
    if (encoding === 'gzip') {
      meta.encoding = 'gzip';
      meta.encoded_length = data.length;
    }
    out.push([name, meta]);
  }
  return out;
}
