import { CouchHttpError, notFound } from '../../engine/errors.ts';
import type { NodeState } from '../../node-state.ts';
import type { Ctx } from '../context.ts';
import { adminHash, parseAdminHash } from '../passwords.ts';
import { methodNotAllowed, sendJson } from '../respond.ts';

// settings the node applies as numbers: a non-number would silently switch them off
const NUMERIC = new Set([
  'couchdb/max_document_size',
  'chttpd/max_http_request_size',
  'replicator/max_jobs',
  'replicator/interval',
  'replicator/max_churn',
  'replicator/checkpoint_interval',
  'replicator/worker_batch_size',
  'replicator/backoff_base_msec',
  'replicator/max_backoff_interval_msec',
]);

/**
 * `/_node/_local/_config[/section[/key]]`: a small live configuration. Keys the node honours are
 * mapped onto its settings; others are stored and echoed, as CouchDB does for unknown keys.
 */
export async function routeConfig(ctx: Ctx, path: string[]): Promise<void> {
  const node = ctx.node;
  const cfg = withOptionAdmins(node);
  const [section, key] = path;
  if (ctx.method === 'GET') {
    if (section === undefined) return sendJson(ctx.res, 200, cfg);
    const s = cfg[section] ?? {};
    if (key === undefined) return sendJson(ctx.res, 200, s);
    if (!(key in s)) throw notFound('unknown_config_value');
    return sendJson(ctx.res, 200, JSON.stringify(s[key]));
  }
  if (section === undefined || key === undefined)
    throw new CouchHttpError(400, 'bad_request', 'Config section and key required');
  const old = cfg[section]?.[key] ?? '';
  if (ctx.method === 'PUT') {
    const value = await ctx.jsonValue();
    if (typeof value !== 'string') throw new CouchHttpError(400, 'bad_request', 'a JSON string expected');
    if (NUMERIC.has(`${section}/${key}`) && !/^\d+$/.test(value))
      throw new CouchHttpError(
        400,
        'bad_request',
        `${section}/${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    if (section === 'admins') {
      // [admins]: CouchDB hashes a plaintext password on write (couch_passwords:hash_admin_password)
      // and the new admin authenticates at once; a value that is already a hash is kept as is
      if (node.admins.has(key))
        throw new CouchHttpError(409, 'conflict', `admin ${key} is set by the node's start options`);
      const hashed = parseAdminHash(value) ? value : adminHash(value, node.passwordPolicy().iterations);
      node.setConfig(section, key, hashed);
      return sendJson(ctx.res, 200, JSON.stringify(old));
    }
    node.setConfig(section, key, value);
    return sendJson(ctx.res, 200, JSON.stringify(old));
  }
  if (ctx.method === 'DELETE') {
    if (!(key in (cfg[section] ?? {}))) throw notFound('unknown_config_value');
    if (section === 'admins' && node.admins.has(key))
      throw new CouchHttpError(409, 'conflict', `admin ${key} is set by the node's start options`);
    node.setConfig(section, key, undefined);
    return sendJson(ctx.res, 200, JSON.stringify(old));
  }
  throw methodNotAllowed('DELETE,GET,PUT');
}

// admins given as start options are kept in memory only; `_config` shows them hashed, never plain
const optionAdminHashes = new WeakMap<NodeState, Record<string, string>>();

function withOptionAdmins(node: NodeState): Record<string, Record<string, string>> {
  if (node.admins.size === 0) return node.configSections;
  let hashes = optionAdminHashes.get(node);
  if (!hashes) {
    hashes = {};
    for (const [name, pw] of node.admins) hashes[name] = adminHash(pw, node.passwordPolicy().iterations);
    optionAdminHashes.set(node, hashes);
  }
  return {
    ...node.configSections,
    admins: { ...hashes, ...(node.configSections.admins ?? {}) },
  };
}
