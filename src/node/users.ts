import { scanJson } from '../couchdb/json-scan.ts';
import type { WriteDoc } from './engine/database.ts';
import { parseDoc } from './engine/doc-parse.ts';
import { CouchHttpError } from './engine/errors.ts';
import { hashFields } from './http/passwords.ts';

const forbidden = (reason: string) => new CouchHttpError(403, 'forbidden', reason);

/** The `_auth` design doc's validation, as CouchDB's `_users` applies it to every user doc. */
function validateUser(full: Record<string, unknown>, id: string): void {
  if (full.type !== 'user') throw forbidden('doc.type must be user');
  if (typeof full.name !== 'string' || !full.name) throw forbidden('doc.name is required');
  if (id !== `org.couchdb.user:${full.name}`)
    throw forbidden('Doc ID must be of the form org.couchdb.user:name');
  if (!Array.isArray(full.roles) || !full.roles.every((r) => typeof r === 'string'))
    throw forbidden('doc.roles must be an array');
}

/**
 * `_users` (couch_users_db:before_doc_update): a plaintext `password` is replaced by pbkdf2 fields
 * hashed with `[chttpd_auth] iterations`. Only server admins reach this (the db is admin-only), and
 * replicated (`new_edits=false`) docs keep the hash they carry, as CouchDB keeps them.
 */
export function usersBeforeUpdate(doc: WriteDoc, iterations: number): WriteDoc {
  if (doc.deleted || doc.id?.startsWith('_design/')) return doc;
  const full = JSON.parse(doc.text) as Record<string, unknown>;
  validateUser(full, doc.id ?? '');
  if (typeof full.password !== 'string') return doc;
  const { password, ...rest } = full;
  const text = JSON.stringify({ ...rest, ...hashFields(password as string, iterations) });
  return { ...parseDoc(text, scanJson(text)), id: doc.id, rev: doc.rev };
}
