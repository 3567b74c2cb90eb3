import { type JsonNode, scanJson, toValue } from '../../couchdb/json-scan.ts';
import { BODY_UNDERSCORE_FIELDS } from '../../couchdb/revid.ts';
import { parseRevId } from '../../couchdb/tree.ts';
import { badRequest, CouchHttpError } from './errors.ts';

/** One attachment as a client wrote it in `_attachments` (inline data, a stub, or `follows` in multipart). */
export interface AttIn {
  content_type?: string;
  data?: string;
  stub?: boolean;
  follows?: boolean;
  digest?: string;
  length?: number;
  revpos?: number;
  encoding?: string;
  encoded_length?: number;
}

/** A document as received, split into CouchDB's special members and the body text we store. */
export interface IncomingDoc {
  id: string | undefined;
  rev: string | undefined;
  deleted: boolean;
  revisions: { start: number; ids: string[] } | undefined;
  attachments: Array<[string, AttIn]> | undefined;
  /** `{...}` of the non-underscore members, as sent (key order and number lexemes kept). */
  bodyText: string;
  /** The whole document's text and tree: what the rev id is computed over. */
  text: string;
  node: JsonNode;
}

/** The shape couch_doc:parse_rev accepts. */
export const REV_SHAPE = /^\d+-/;

// couch_doc:transfer_fields — these are accepted and ignored; any other `_` member is refused.
const IGNORED = new Set(['_revs_info', '_conflicts', '_deleted_conflicts', '_local_seq']);

export function parseDoc(text: string, node: JsonNode): IncomingDoc {
  if (node.t !== 'obj') throw badRequest('Document must be a JSON object');
  const doc: IncomingDoc = {
    id: undefined,
    rev: undefined,
    deleted: false,
    revisions: undefined,
    attachments: undefined,
    bodyText: '{}',
    text,
    node,
  };
  const body: string[] = [];
  for (const [key, v] of node.entries) {
    if (key.charCodeAt(0) !== 95 /* _ */ || BODY_UNDERSCORE_FIELDS.has(key)) {
      body.push(`${JSON.stringify(key)}:${text.slice(v.s, v.e)}`);
      continue;
    }
    switch (key) {
      case '_id':
        // couch_doc:transfer_fields validates the body's _id (so one bad id refuses a whole _bulk_docs)
        doc.id = validateDocId(v.t === 'str' ? v.value : null);
        break;
      case '_rev':
        // couch_doc:parse_rev: "<integer>-<id>" (the id may be empty); anything else is refused at parse time
        if (v.t !== 'str' || !REV_SHAPE.test(v.value)) throw badRequest('Invalid rev format');
        doc.rev = v.value;
        break;
      case '_deleted':
        if (v.t !== 'true' && v.t !== 'false')
          throw new CouchHttpError(400, 'doc_validation', 'Bad special document member: _deleted');
        doc.deleted = v.t === 'true';
        break;
      case '_revisions':
        doc.revisions = parseRevisions(toValue(text, v));
        break;
      case '_attachments':
        doc.attachments = parseAttachments(text, v);
        break;
      default:
        if (!IGNORED.has(key))
          throw new CouchHttpError(400, 'doc_validation', `Bad special document member: ${key}`);
    }
  }
  if (body.length) doc.bodyText = `{${body.join(',')}}`;
  return doc;
}

/** couch_doc:transfer_fields' checks and messages (whether the ids make a revision path is the engine's call). */
function parseRevisions(v: unknown): { start: number; ids: string[] } {
  const invalid = (reason: string) => new CouchHttpError(400, 'doc_validation', reason);
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid('Bad special document member: _revisions');
  const r = v as { start?: unknown; ids?: unknown };
  if (!Number.isSafeInteger(r.start)) throw invalid("_revisions.start isn't an integer.");
  if (!Array.isArray(r.ids)) throw invalid("_revisions.ids isn't a array.");
  for (const id of r.ids) {
    if (typeof id !== 'string') throw invalid("RevId isn't a string");
    // parse_revid: 32 bytes must be hex; any other string is an opaque id
    if (id !== '' && parseRevId(id) === null) throw invalid("RevId isn't a valid hexadecimal");
  }
  return { start: r.start as number, ids: r.ids as string[] };
}

// The attachment members the node reads, and the JSON type each must have when present (null = absent).
const ATT_MEMBER_TYPES: Record<string, 'string' | 'boolean' | 'count'> = {
  content_type: 'string',
  data: 'string',
  digest: 'string',
  encoding: 'string',
  stub: 'boolean',
  follows: 'boolean',
  length: 'count',
  revpos: 'count',
  encoded_length: 'count',
};

function parseAttachments(text: string, v: JsonNode): Array<[string, AttIn]> {
  if (v.t !== 'obj')
    throw new CouchHttpError(400, 'doc_validation', 'Bad special document member: _attachments');
  return v.entries.map(([name, a]) => {
    if (a.t !== 'obj') throw badRequest(`Invalid attachment stub for ${name}`);
    const att = toValue(text, a) as Record<string, unknown>;
    for (const [key, type] of Object.entries(ATT_MEMBER_TYPES)) {
      const x = att[key];
      if (x === undefined || x === null) continue;
      const ok = type === 'count' ? Number.isSafeInteger(x) && (x as number) >= 0 : typeof x === type;
      if (!ok)
        throw badRequest(
          `Invalid attachment ${name}: ${key} must be a ${type === 'count' ? 'non-negative integer' : type}`,
        );
    }
    // couch_att:inline_from_json: data base64:decode refuses -> 400, at parse time (a whole _bulk_docs)
    if (typeof att.data === 'string' && !isBase64(att.data))
      throw badRequest(`Invalid attachment data for ${name}`);
    return [name, att as AttIn];
  });
}

/** What Erlang's base64:decode accepts: the base64 alphabet (whitespace skipped), `=` padding only at the end. */
export function isBase64(s: string): boolean {
  const t = s.replace(/[ \t\r\n]/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(t) && t.length % 4 !== 1 && (!t.includes('=') || t.length % 4 === 0);
}

/** couch_doc:validate_docid */
export function validateDocId(id: unknown): string {
  if (typeof id !== 'string') throw new CouchHttpError(400, 'illegal_docid', 'Document id must be a string');
  if (id === '') throw new CouchHttpError(400, 'illegal_docid', 'Document id must not be empty');
  // a lone surrogate has no UTF-8 encoding (couch_util:validate_utf8)
  if (/[\uD800-\uDFFF]/u.test(id))
    throw new CouchHttpError(400, 'illegal_docid', 'Document id must be valid UTF-8');
  if (id.startsWith('_') && !id.startsWith('_design/') && !id.startsWith('_local/'))
    throw new CouchHttpError(400, 'illegal_docid', 'Only reserved document ids may start with underscore.');
  return id;
}

/** A document with no body: what DELETE writes (`{_id, _rev, _deleted: true}`), or a body-less edit. */
export function bodylessDoc(id: string, rev: string | undefined, deleted: boolean): IncomingDoc {
  const text = '{}';
  return {
    id,
    rev,
    deleted,
    revisions: undefined,
    attachments: undefined,
    bodyText: text,
    text,
    node: scanJson(text),
  };
}
