/**
 * `_replicator` documents -> replication specs, with CouchDB's validation
 * (couch_replicator_parse:parse_rep_doc / convert_options / check_options). A document the parser
 * rejects is refused at write time with 403 `forbidden` and the parser's reason, as CouchDB does.
 * Unknown fields are ignored: couchmesh keeps its own metadata in these documents.
 */
export interface RepEndpoint {
  /** normalised URL without credentials, with a trailing slash (as `_scheduler/*` shows it) */
  url: string;
  headers: Record<string, string>;
  auth?: { username: string; password: string };
  /** `source_proxy` / `target_proxy` (or `proxy`): not part of the replication id (couch_replicator_ids) */
  proxy?: string;
}

export interface RepSpec {
  source: RepEndpoint;
  target: RepEndpoint;
  continuous: boolean;
  createTarget: boolean;
  createTargetParams: Record<string, unknown> | undefined;
  checkpointInterval: number;
  useCheckpoints: boolean;
  sinceSeq: string | number | undefined;
  selector: Record<string, unknown> | undefined;
  docIds: string[] | undefined;
  filter: string | undefined;
  /** a design-doc filter's source code, fetched from the source (part of the replication id) */
  filterCode?: string;
  queryParams: Record<string, unknown> | undefined;
  winningRevsOnly: boolean;
  workerProcesses: number;
  workerBatchSize: number;
  httpConnections: number;
  connectionTimeout: number;
  retriesPerRequest: number;
  useBulkGet: boolean;
}

export interface RepDefaults {
  checkpointInterval: number;
  workerProcesses: number;
  workerBatchSize: number;
  httpConnections: number;
  connectionTimeout: number;
  retriesPerRequest: number;
  useCheckpoints: boolean;
  useBulkGet: boolean;
  /** `[replicator] valid_proxy_protocols` */
  validProxyProtocols: string[];
}

export const COUCH_DEFAULTS: RepDefaults = {
  checkpointInterval: 30_000,
  workerProcesses: 4,
  workerBatchSize: 500,
  httpConnections: 20,
  connectionTimeout: 30_000,
  retriesPerRequest: 5,
  useCheckpoints: true,
  useBulkGet: true,
  validProxyProtocols: ['http', 'https', 'socks5'],
};

export class RepDocError extends Error {}

const badRequest = (msg: string) => new RepDocError(`{throw,{bad_request,<<"${msg}">>}}`);

function endpoint(v: unknown, which: 'source' | 'target'): RepEndpoint {
  if (v === undefined || v === null) throw new RepDocError('Missing replicator database');
  let url: string;
  let headers: Record<string, string> = {};
  let auth: RepEndpoint['auth'];
  if (typeof v === 'string') url = v;
  else if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as { url?: unknown; headers?: unknown; auth?: unknown };
    if (typeof o.url !== 'string') throw badRequest(`${which} must have a url`);
    url = o.url;
    if (o.headers !== undefined) {
      if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers))
        throw badRequest(`${which} headers must be an object`);
      headers = Object.fromEntries(Object.entries(o.headers).map(([k, h]) => [k, String(h)]));
    }
    const basic = (o.auth as { basic?: { username?: unknown; password?: unknown } } | undefined)?.basic;
    if (basic !== undefined) {
      if (typeof basic.username !== 'string' || typeof basic.password !== 'string')
        throw badRequest(`${which} auth.basic needs string username and password`);
      auth = { username: basic.username, password: basic.password };
    }
  } else throw badRequest(`${which} must be a string or an object`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RepDocError(
      `local_endpoints_not_supported: ${which} ${JSON.stringify(url)} is not an http(s) URL`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw badRequest(`unsupported ${which} protocol ${parsed.protocol.replace(':', '')}`);
  // precedence: auth.basic > URL userinfo > Authorization header (couch_replicator_utils:normalize_basic_auth)
  if (!auth && (parsed.username || parsed.password))
    auth = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  if (!auth) {
    const h = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (h?.toLowerCase().startsWith('basic ')) {
      const dec = Buffer.from(h.slice(6), 'base64').toString();
      const i = dec.indexOf(':');
      if (i > 0) auth = { username: dec.slice(0, i), password: dec.slice(i + 1) };
    }
  }
  headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
  parsed.username = '';
  parsed.password = '';
  let s = parsed.toString();
  if (!s.endsWith('/')) s += '/';
  return auth ? { url: s, headers, auth } : { url: s, headers };
}

/**
 * `proxy` / `source_proxy` / `target_proxy` (couch_replicator_parse:parse_proxy_settings and
 * parse_proxy_params): `proxy` applies to both ends and excludes the other two; an empty string is
 * no proxy; the scheme must be one of `[replicator] valid_proxy_protocols`.
 */
function parseProxies(doc: Record<string, unknown>, valid: string[]): { source?: string; target?: string } {
  const get = (k: string): string => {
    const v = doc[k];
    if (v === undefined || v === null || v === '') return '';
    if (typeof v !== 'string') throw badRequest(`parameter \`${k}\` must be a string`);
    return v;
  };
  const [proxy, src, tgt] = [get('proxy'), get('source_proxy'), get('target_proxy')];
  if (proxy && src) throw badRequest('`proxy` is mutually exclusive with `source_proxy`');
  if (proxy && tgt) throw badRequest('`proxy` is mutually exclusive with `target_proxy`');
  const check = (url: string) => {
    if (!url) return undefined;
    let scheme: string;
    try {
      scheme = new URL(url).protocol.replace(/:$/, '');
    } catch {
      throw badRequest('Unsupported proxy protocol');
    }
    if (!valid.includes(scheme)) throw badRequest('Unsupported proxy protocol');
    return url;
  };
  const source = check(proxy || src);
  const target = check(proxy || tgt);
  return { ...(source ? { source } : {}), ...(target ? { target } : {}) };
}

/** A proxy URL as `_scheduler/*` shows it: the password masked (couch_util:url_strip_password). */
export function maskedProxy(url: string | undefined): string | null {
  if (!url) return null;
  return url.replace(/^(http|https|socks5):\/\/([^:/@]+):[^@]+@(.*)$/, '$1://$2:*****@$3');
}

function bool(doc: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = doc[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw badRequest(`parameter \`${key}\` must be a boolean`);
  return v;
}

function int(doc: Record<string, unknown>, key: string, dflt: number): number {
  const v = doc[key];
  if (v === undefined) return dflt;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw badRequest(`parameter \`${key}\` must be an integer`);
  return n;
}

export function parseRepDoc(doc: Record<string, unknown>, defaults: RepDefaults = COUCH_DEFAULTS): RepSpec {
  const source = endpoint(doc.source, 'source');
  const target = endpoint(doc.target, 'target');
  const proxies = parseProxies(doc, defaults.validProxyProtocols);
  if (proxies.source) source.proxy = proxies.source;
  if (proxies.target) target.proxy = proxies.target;
  const spec: RepSpec = {
    source,
    target,
    continuous: bool(doc, 'continuous', false),
    createTarget: bool(doc, 'create_target', false),
    createTargetParams: undefined,
    checkpointInterval: int(doc, 'checkpoint_interval', defaults.checkpointInterval),
    useCheckpoints: bool(doc, 'use_checkpoints', defaults.useCheckpoints),
    sinceSeq: undefined,
    selector: undefined,
    docIds: undefined,
    filter: undefined,
    queryParams: undefined,
    winningRevsOnly: bool(doc, 'winning_revs_only', false),
    workerProcesses: int(doc, 'worker_processes', defaults.workerProcesses) || 1,
    workerBatchSize: int(doc, 'worker_batch_size', defaults.workerBatchSize) || 1,
    httpConnections: int(doc, 'http_connections', defaults.httpConnections) || 1,
    connectionTimeout: int(doc, 'connection_timeout', defaults.connectionTimeout),
    retriesPerRequest: int(doc, 'retries_per_request', defaults.retriesPerRequest),
    useBulkGet: bool(doc, 'use_bulk_get', defaults.useBulkGet),
  };
  const ctp = doc.create_target_params;
  if (ctp !== undefined) {
    if (typeof ctp !== 'object' || ctp === null || Array.isArray(ctp))
      throw badRequest('parameter `create_target_params` must be a JSON object');
    spec.createTargetParams = ctp as Record<string, unknown>;
  }
  if (doc.since_seq !== undefined) {
    if (typeof doc.since_seq !== 'string' && typeof doc.since_seq !== 'number')
      throw badRequest('parameter `since_seq` must be a string or a number');
    spec.sinceSeq = doc.since_seq;
  }
  const filters = ['doc_ids', 'filter', 'selector'].filter((k) => doc[k] !== undefined);
  if (filters.length > 1) throw badRequest('`doc_ids`, `filter`, `selector` are mutually exclusive');
  if (doc.doc_ids !== undefined) {
    if (!Array.isArray(doc.doc_ids) || !doc.doc_ids.every((x) => typeof x === 'string'))
      throw badRequest('parameter `doc_ids` must be an array');
    spec.docIds = [...new Set(doc.doc_ids.map((x) => decodeURIComponent(x as string)))].sort();
  }
  if (doc.selector !== undefined) {
    if (typeof doc.selector !== 'object' || doc.selector === null || Array.isArray(doc.selector))
      throw badRequest('parameter `selector` must be a JSON object');
    spec.selector = doc.selector as Record<string, unknown>;
  }
  if (doc.filter !== undefined) {
    if (typeof doc.filter !== 'string') throw badRequest('parameter `filter` must be a string');
    spec.filter = doc.filter;
    const qp = doc.query_params;
    if (qp !== undefined && (typeof qp !== 'object' || qp === null))
      throw badRequest('`query_params` must be an object');
    spec.queryParams = qp as Record<string, unknown> | undefined;
  }
  return spec;
}

/** A URL for display: no credentials, trailing slash (what `_scheduler/*` and `_active_tasks` show). */
export const displayUrl = (e: RepEndpoint) => e.url;
