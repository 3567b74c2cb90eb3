// Reading and writing one document, shared by the document, attachment and `_local` handlers (a
// leaf: it imports no other route, so those handlers never import each other).

import type { FollowedAtt } from '../../engine/attachments.ts';
import type { Database, UpdateResult, WriteDoc } from '../../engine/database.ts';
import { parseDoc } from '../../engine/doc-parse.ts';
import { badRequest, CouchHttpError, conflict } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
import { scanRequestJson } from '../json-text.ts';
import { MultipartError, parseMultipartRelated } from '../multipart.ts';
import { checkDbAdmin } from '../security.ts';

/** Reads a doc body: JSON, or multipart/related (JSON part + attachment bytes) as the replicator sends it. */
export async function readDocBody(ctx: Ctx): Promise<WriteDoc> {
  const ct = ctx.header('content-type') ?? '';
  if (/^multipart\/related/i.test(ct)) {
    let parsed: ReturnType<typeof parseMultipartRelated>;
    try {
      parsed = parseMultipartRelated(await ctx.body(), ct);
    } catch (e) {
      if (e instanceof MultipartError) throw e; // already CouchDB-shaped: 400, or 415 for a non-JSON first part
      throw e;
    }
    const text = parsed.json.toString('utf8');
    const doc: WriteDoc = parseDoc(text, scanRequestJson(text));
    const followers = (doc.attachments ?? []).filter(([, a]) => a.follows);
    const followed = new Map<string, FollowedAtt>();
    followers.forEach(([name, a], i) => {
      const part = parsed.parts.find((p) => p.filename === name) ?? parsed.parts[i];
      if (!part) throw badRequest(`Missing attachment data for ${name}`);
      const encoding = part.headers['content-encoding'] ?? a.encoding;
      followed.set(name, encoding ? { data: part.data, encoding } : { data: part.data });
    });
    doc.followed = followed;
    return doc;
  }
  // one JSON document may not be read past twice `[couchdb] max_document_size` (the body's own
  // limit, plus as much again for inline base64 attachments; larger attachments go through a
  // standalone or multipart PUT): a client cannot make the node buffer more than that
  const cap = 2 * ctx.node.config.maxDocumentSize;
  await ctx.body(cap, () => new CouchHttpError(413, 'document_too_large', ''));
  const { text, node } = await ctx.jsonBody();
  return parseDoc(text, node);
}

export function checkSize(ctx: Ctx, doc: WriteDoc): void {
  if (Buffer.byteLength(doc.bodyText) > ctx.node.config.maxDocumentSize)
    throw new CouchHttpError(413, 'document_too_large', doc.id ?? '');
}

function checkDesign(ctx: Ctx, db: Database, id: string | undefined): void {
  if (id?.startsWith('_design/')) checkDbAdmin(ctx, db);
}

const ERROR_STATUS: Record<string, number> = {
  missing_stub: 412,
  not_found: 404,
  forbidden: 403,
  unauthorized: 401,
};

export function writeOne(ctx: Ctx, db: Database, doc: WriteDoc, newEdits: boolean): UpdateResult {
  checkDesign(ctx, db, doc.id);
  const [r] = db.updateDocs([doc], newEdits, { user: ctx.user });
  if (r && 'error' in r) {
    if (r.error === 'conflict') throw conflict();
    // a VDU that failed (an Error, or a thrown value that is not forbidden/unauthorized) is a 500, as
    // couch_query_servers reports it; every other per-doc error is the client's
    const status =
      ERROR_STATUS[r.error] ?? (r.error === 'unknown_error' || /Error$/.test(r.error) ? 500 : 400);
    throw new CouchHttpError(status, r.error, r.reason);
  }
  // replicated: the revision written is the one `_revisions` names, else `_rev` (couch_doc:transfer_fields)
  const named = doc.revisions ? `${doc.revisions.start}-${doc.revisions.ids[0]}` : (doc.rev as string);
  if (!newEdits || !r) return { ok: true, id: doc.id as string, rev: named };
  return r;
}
