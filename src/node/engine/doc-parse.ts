import { type JsonNode, toValue } from '../json/scan.ts';
import { BODY_UNDERSCORE_FIELDS } from '../revs/revid.ts';
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
        if (v.t !== 'str') throw new CouchHttpError(400, 'illegal_docid', 'Document id must be a string');
        doc.id = v.value;
        break;
      case '_rev':
        if (v.t !== 'str') throw badRequest('Invalid rev format');
        doc.rev = v.value;
        break;
      case '_deleted':
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

function parseRevisions(v: unknown): { start: number; ids: string[] } {
  const r = v as { start?: unknown; ids?: unknown };
  if (
    typeof r !== 'object' ||
    r === null ||
    !Number.isInteger(r.start) ||
    !Array.isArray(r.ids) ||
    !r.ids.every((x) => typeof x === 'string')
  )
    throw new CouchHttpError(400, 'doc_validation', '_revisions member must be an object with start and ids');
  return { start: r.start as number, ids: r.ids as string[] };
}

function parseAttachments(text: string, v: JsonNode): Array<[string, AttIn]> {
  if (v.t !== 'obj')
    throw new CouchHttpError(400, 'doc_validation', 'Bad special document member: _attachments');
  return v.entries.map(([name, a]) => {
    if (a.t !== 'obj') throw badRequest(`Invalid attachment stub for ${name}`);
    return [name, toValue(text, a) as AttIn];
  });
}

/** couch_doc:validate_docid */
export function validateDocId(id: unknown): string {
  if (typeof id !== 'string') throw new CouchHttpError(400, 'illegal_docid', 'Document id must be a string');
  if (id === '') throw new CouchHttpError(400, 'illegal_docid', 'Document id must not be empty');
  if (id.startsWith('_') && !id.startsWith('_design/') && !id.startsWith('_local/'))
    throw new CouchHttpError(400, 'illegal_docid', 'Only reserved document ids may start with underscore.');
  return id;
}
