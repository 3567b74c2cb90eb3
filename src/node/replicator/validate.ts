import { scanJson } from '../../couchdb/json-scan.ts';
import type { WriteContext, WriteDoc } from '../engine/database.ts';
import { parseDoc } from '../engine/doc-parse.ts';
import { CouchHttpError } from '../engine/errors.ts';
import { parseRepDoc, RepDocError } from './rep-doc.ts';

/**
 * `_replicator`'s before_doc_update (couch_replicator_docs): refuse documents the parser rejects
 * with 403 `forbidden` and its reason, and record the writer as `owner`. Deletes, design docs, the
 * node's own state write-backs and docs already marked failed skip the check, as in CouchDB.
 */
export function replicatorBeforeUpdate(doc: WriteDoc, ctx: WriteContext): WriteDoc {
  if (ctx.internal || doc.deleted || doc.id?.startsWith('_design/') || doc.id?.startsWith('_local/'))
    return doc;
  if (ctx.newEdits === false) return doc; // replicated in: keep as sent
  const body = JSON.parse(doc.bodyText) as Record<string, unknown>;
  if (body._replication_state === 'failed') return doc;
  if (ctx.user?.roles.includes('_replicator')) return doc;
  try {
    parseRepDoc(body);
  } catch (e) {
    if (e instanceof RepDocError) throw new CouchHttpError(403, 'forbidden', e.message);
    throw e;
  }
  const isAdmin = ctx.user?.roles.includes('_admin') ?? false;
  const name = ctx.user?.name ?? null;
  if (name === null) return doc;
  if (!isAdmin && typeof body.owner === 'string' && body.owner !== name)
    throw new CouchHttpError(403, 'forbidden', `Can't update replication documents from other users.`);
  // the writer's own docs, and an admin's write naming another owner, keep `owner` as sent
  if (body.owner === name || (isAdmin && typeof body.owner === 'string')) return doc;
  // rebuild the document with `owner` appended (after the writer's own fields, as CouchDB does)
  const full = JSON.parse(doc.text.slice(doc.node.s, doc.node.e)) as Record<string, unknown>; // in _bulk_docs `text` is the whole request
  full.owner = name;
  const text = JSON.stringify(full);
  const next = parseDoc(text, scanJson(text));
  return { ...next, id: doc.id, rev: doc.rev, followed: doc.followed };
}

/**
 * `_replicator`'s after_doc_read (couch_replicator_docs:strip_credentials): a reader who is neither a
 * server admin nor the document's owner gets source and target without credentials.
 */
export function replicatorAfterRead(
  doc: Record<string, unknown>,
  viewer: { name: string | null; roles: string[] },
) {
  if (viewer.roles.includes('_admin') || (viewer.name !== null && doc.owner === viewer.name)) return doc;
  const out = { ...doc };
  for (const k of ['source', 'target'] as const) out[k] = stripCredentials(out[k]);
  return out;
}

function stripCredentials(ep: unknown): unknown {
  if (typeof ep === 'string') return withoutUserinfo(ep);
  if (!ep || typeof ep !== 'object') return ep;
  const {
    auth: _auth,
    headers,
    url,
    ...rest
  } = ep as { auth?: unknown; headers?: Record<string, string>; url?: unknown };
  const kept = headers
    ? Object.fromEntries(Object.entries(headers).filter(([h]) => h.toLowerCase() !== 'authorization'))
    : undefined;
  return {
    ...rest,
    ...(url === undefined ? {} : { url: typeof url === 'string' ? withoutUserinfo(url) : url }),
    ...(kept ? { headers: kept } : {}),
  };
}

function withoutUserinfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
