import { CouchHttpError, notFound } from '../../engine/errors.ts';
import type { Ctx } from '../context.ts';
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
  const cfg = node.configSections;
  const [section, key] = path;
  if (ctx.method === 'GET') {
    if (section === undefined) return sendJson(ctx.res, 200, cfg);
    const s = cfg[section] ?? {};
    if (key === undefined) return sendJson(ctx.res, 200, s);
    if (!(key in s)) throw notFound('unknown_config_value');
    return sendJson(ctx.res, 200, s[key]);
  }
  if (section === undefined || key === undefined)
    throw new CouchHttpError(400, 'bad_request', 'Config section and key required');
  const old = cfg[section]?.[key] ?? '';
  if (ctx.method === 'PUT') {
    const value = await ctx.jsonValue();
    if (typeof value !== 'string')
      throw new CouchHttpError(400, 'bad_request', 'Config values must be strings');
    if (NUMERIC.has(`${section}/${key}`) && !/^\d+$/.test(value))
      throw new CouchHttpError(
        400,
        'bad_request',
        `${section}/${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    node.setConfig(section, key, value);
    return sendJson(ctx.res, 200, old);
  }
  if (ctx.method === 'DELETE') {
    if (!(key in (cfg[section] ?? {}))) throw notFound('unknown_config_value');
    node.setConfig(section, key, undefined);
    return sendJson(ctx.res, 200, old);
  }
  throw methodNotAllowed('DELETE,GET,PUT');
}
