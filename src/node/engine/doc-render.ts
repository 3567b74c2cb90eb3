import { conflicts, deletedConflicts, parseRev, revisionsOf, revsInfo } from '../../couchdb/tree.ts';
import type { DbStore, RevRow } from '../store/db-store.ts';
import { type AttList, type AttMeta, readAttData } from './attachments.ts';
import { type DocState, parseAtts } from './doc-state.ts';

export interface Viewer {
  name: string | null;
  roles: string[];
}

/**
 * What rendering reads of a database: attachment bytes and the read hook (couch_db's after_doc_read).
 * A Database is one; naming only these keeps this module below database.ts (validate.ts renders too).
 */
export interface RenderSource {
  readonly store: DbStore;
  readonly afterRead: ((doc: Record<string, unknown>, viewer: Viewer) => Record<string, unknown>) | undefined;
}

export interface RenderOptions {
  /** who reads: lets a database's read hook hide what this reader may not see */
  viewer?: Viewer;
  revs?: boolean;
  revsInfo?: boolean;
  conflicts?: boolean;
  deletedConflicts?: boolean;
  localSeq?: boolean;
  /** 'stub' (default), 'data' (inline base64), 'follows' (multipart) */
  attachments?: 'stub' | 'data' | 'follows';
  /** with attachments: revs the client has; attachments with revpos <= their pos stay stubs */
  attsSince?: string[];
  /** stubs carry `encoding` / `encoded_length` */
  attEncodingInfo?: boolean;
}

/** The attachments that `follows` will send, in document order (for multipart bodies). */
export function followedAttachments(atts: AttList, opts: RenderOptions): AttList {
  if (opts.attachments !== 'follows') return [];
  const since = sincePos(opts.attsSince);
  return atts.filter(([, a]) => a.revpos > since);
}

function sincePos(attsSince: string[] | undefined): number {
  let max = 0;
  for (const r of attsSince ?? []) {
    const p = parseRev(r);
    if (p && p.pos > max) max = p.pos;
  }
  return max;
}

function renderAtt(db: RenderSource, a: AttMeta, opts: RenderOptions, stub: boolean): string {
  const mode = opts.attachments;
  const head = `"content_type":${JSON.stringify(a.content_type)},"revpos":${a.revpos},"digest":${JSON.stringify(a.digest)}`;
  const enc = a.encoding ? `,"encoding":"${a.encoding}","encoded_length":${a.encoded_length}` : '';
  // a stub kept because of atts_since carries the encoding info, as CouchDB writes it
  if (stub || !mode || mode === 'stub')
    return `{${head},"length":${a.length},"stub":true${opts.attEncodingInfo || (stub && mode && mode !== 'stub') ? enc : ''}}`;
  // multipart sends the stored (possibly gzip) bytes with Content-Encoding, as CouchDB does
  if (mode === 'follows') return `{${head},"length":${a.length},"follows":true${enc}}`;
  return `{${head},"data":"${readAttData(db.store, a).toString('base64')}"}`;
}

/**
 * Splices a stored revision into CouchDB's document JSON, in couch_doc:to_json_obj order:
 * _id, _rev, body, _deleted, _revisions, _revs_info, _conflicts, _deleted_conflicts, _local_seq, _attachments.
 */
export function renderDoc(db: RenderSource, state: DocState, rev: RevRow, opts: RenderOptions = {}): string {
  if (isPlainRead(db, opts) && !hasAtts(rev)) return renderPlain(JSON.stringify(state.id), rev);
  let out = plainHead(JSON.stringify(state.id), rev);
  if (opts.revs) out += `,"_revisions":${JSON.stringify(revisionsOf(state.tree, rev.rev))}`;
  if (opts.revsInfo && rev.rev === state.winner)
    out += `,"_revs_info":${JSON.stringify(revsInfo(state.tree, rev.rev))}`;
  if (opts.conflicts && rev.rev === state.winner) {
    const c = conflicts(state.tree);
    if (c.length) out += `,"_conflicts":${JSON.stringify(c)}`;
  }
  if (opts.deletedConflicts && rev.rev === state.winner) {
    const c = deletedConflicts(state.tree);
    if (c.length) out += `,"_deleted_conflicts":${JSON.stringify(c)}`;
  }
  if (opts.localSeq) out += `,"_local_seq":${state.seq}`;
  const atts = parseAtts(rev.atts);
  if (atts.length) {
    const since = sincePos(opts.attsSince);
    const parts = atts.map(
      ([name, a]) => `${JSON.stringify(name)}:${renderAtt(db, a, opts, a.revpos <= since)}`,
    );
    out += `,"_attachments":{${parts.join(',')}}`;
  }
  const text = `${out}}`;
  // a read hook (e.g. `_replicator` hiding other owners' credentials) sees the finished document
  if (!db.afterRead || !opts.viewer) return text;
  return JSON.stringify(db.afterRead(JSON.parse(text) as Record<string, unknown>, opts.viewer));
}

/**
 * Whether `renderDoc` with these options is the stored body spliced between `_id`/`_rev` and
 * `_deleted` for a revision without attachments: nothing asked for that needs the tree, and no read
 * hook to run (a batch reader checks this once, then renders each revision with `renderPlain`).
 */
export function isPlainRead(db: RenderSource, opts: RenderOptions): boolean {
  return (
    !opts.revs &&
    !opts.revsInfo &&
    !opts.conflicts &&
    !opts.deletedConflicts &&
    !opts.localSeq &&
    !(db.afterRead && opts.viewer)
  );
}

/** Whether a stored revision has attachments (its list is null, or `[]` when written so). */
export const hasAtts = (rev: Pick<RevRow, 'atts'>) => !!rev.atts && rev.atts !== '[]';

/** `_id`, `_rev`, the body's members and `_deleted`, without the closing brace. */
function plainHead(idJson: string, rev: RevRow): string {
  let out = `{"_id":${idJson},"_rev":${JSON.stringify(rev.rev)}`;
  if (rev.body.length > 2) out += `,${rev.body.slice(1, -1)}`;
  if (rev.deleted) out += ',"_deleted":true';
  return out;
}

/**
 * What `renderDoc` answers for a revision without attachments when `isPlainRead` holds, from the
 * doc id's JSON (`JSON.stringify(id)`, made once per doc by a batch reader).
 */
export function renderPlain(idJson: string, rev: RevRow): string {
  return `${plainHead(idJson, rev)}}`;
}

/** Renders a local document (`_local/*`): `_id`, `_rev` "0-N", body, optional `_revisions`. */
export function renderLocal(id: string, rev: number, body: string, revs = false): string {
  const inner = body.length > 2 ? `,${body.slice(1, -1)}` : '';
  const revisions = revs ? `,"_revisions":{"start":0,"ids":["${rev}"]}` : '';
  return `{"_id":${JSON.stringify(id)},"_rev":"0-${rev}"${inner}${revisions}}`;
}
