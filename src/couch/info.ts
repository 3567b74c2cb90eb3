import { CouchError, CouchErrorCode } from './errors.ts';
import type { CouchRequester } from './requester.ts';

export type Flavour = 'couchdb' | 'couchmesh' | 'pouchdb-server' | 'unknown';

export interface ServerInfo {
  vendor: { name: string; version?: string };
  /** The server's version string (CouchDB's, or express-pouchdb's for pouchdb-server). */
  version: string;
  /** Server uuid; '' when the server has none (express-pouchdb without config). */
  uuid: string;
  flavour: Flavour;
  features: string[];
  /** The `GET /` document as received. */
  raw: Record<string, unknown>;
}

export interface Capabilities {
  /** `GET /_scheduler/jobs` exists (200, or 401/403 for lack of rights) rather than 404/400. */
  scheduler: boolean;
  /** `GET /_session` answers a session document (cookie auth possible). */
  session: boolean;
  /** `POST /{db}/_bulk_get` is available (CouchDB 2.0+, the embedded node, pouchdb-server). */
  bulkGet: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Classifies a `GET /` welcome document. CouchDB: `{couchdb:"Welcome", version, uuid, features,
 * vendor:{name:"The Apache Software Foundation"}}`; the embedded node adds the `couchmesh-embedded`
 * feature and vendor `couchmesh`; express-pouchdb / pouchdb-server: `{"express-pouchdb":"Welcome!",
 * version, vendor:{name:"PouchDB authors"}}`.
 */
export function parseServerInfo(raw: unknown): ServerInfo {
  const doc = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const v = (typeof doc.vendor === 'object' && doc.vendor !== null ? doc.vendor : {}) as Record<
    string,
    unknown
  >;
  const vendor: ServerInfo['vendor'] = { name: str(v.name) ?? '' };
  const vendorVersion = str(v.version);
  if (vendorVersion !== undefined) vendor.version = vendorVersion;
  const features = Array.isArray(doc.features)
    ? doc.features.filter((f): f is string => typeof f === 'string')
    : [];
  let flavour: Flavour = 'unknown';
  if (features.includes('couchmesh-embedded') || vendor.name === 'couchmesh') flavour = 'couchmesh';
  else if ('express-pouchdb' in doc || 'pouchdb-server' in doc || /pouchdb/i.test(vendor.name))
    flavour = 'pouchdb-server';
  else if (doc.couchdb === 'Welcome') flavour = 'couchdb';
  return { vendor, version: str(doc.version) ?? '', uuid: str(doc.uuid) ?? '', flavour, features, raw: doc };
}

function major(version: string): number {
  const m = /^(\d+)\./.exec(version);
  return m ? Number(m[1]) : 0;
}

export async function readServerInfo(client: CouchRequester, signal?: AbortSignal): Promise<ServerInfo> {
  return parseServerInfo(await client.get('/', undefined, { signal }));
}

/** 200 (or 401/403: it exists, we may not read it) -> true; 404/400/405 -> false; anything else throws. */
async function exists(
  client: CouchRequester,
  path: string,
  query: Record<string, number>,
  signal?: AbortSignal,
): Promise<boolean> {
  const res = await client.request({ method: 'GET', path, query, signal });
  if (res.status === 200 || res.status === 401 || res.status === 403) return true;
  if (res.status === 404 || res.status === 400 || res.status === 405) return false;
  throw new CouchError(
    CouchErrorCode.HTTP,
    `GET ${client.url}${path} -> ${res.status} while probing capabilities`,
    {
      node: client.url,
      method: 'GET',
      path,
      status: res.status,
      attempts: res.attempts,
    },
  );
}

export async function probeCapabilities(
  client: CouchRequester,
  info: Promise<ServerInfo>,
  signal?: AbortSignal,
): Promise<Capabilities> {
  const [i, scheduler, sessionRes] = await Promise.all([
    info,
    exists(client, '/_scheduler/jobs', { limit: 0 }, signal),
    client.request({ method: 'GET', path: '/_session', signal }),
  ]);
  const body =
    sessionRes.status === 200 ? (sessionRes.json() as { ok?: unknown; userCtx?: unknown }) : undefined;
  const session = body?.ok === true && typeof body.userCtx === 'object';
  const bulkGet =
    i.flavour === 'couchmesh' ||
    i.flavour === 'pouchdb-server' ||
    (i.flavour === 'couchdb' && major(i.version) >= 2);
  return { scheduler, session, bulkGet };
}
