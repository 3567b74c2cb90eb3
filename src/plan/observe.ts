import { CouchClient } from '../couch/client.ts';
import { CouchErrorCode, isCouchError } from '../couch/errors.ts';
import type { ResponseEvent } from '../couch/events.ts';
import type { CouchClientOptions } from '../couch/options.ts';
import type { MeshSpec, NodeSpec } from '../spec/types.ts';
import { desiredConfig, readConfig } from './config.ts';
import type { PasswordOf } from './desired.ts';
import { isNodeFailure } from './node-failure.ts';
import { securedDbsOf } from './security.ts';
import type { DesiredConfig, DesiredUser, ObservedDoc, ObservedNode } from './types.ts';
import { readUsers, userReads } from './users.ts';
import { type MeshUsers, meshUsersOf, staleSecurityDbs } from './users-prune.ts';
import { credentialsRef } from './withhold.ts';

/** 401 (credentials refused) and 403 (not allowed): the node answered, it refused who we are. */
const REFUSED = new Set<string>([CouchErrorCode.AUTH, CouchErrorCode.FORBIDDEN]);

/** One client per node (pooled keep-alive), built from the mesh's node entries. */
export function clientsFor(
  spec: MeshSpec,
  password: PasswordOf,
  extra: Partial<CouchClientOptions> | ((node: NodeSpec) => Partial<CouchClientOptions>) = {},
): Map<string, CouchClient> {
  const out = new Map<string, CouchClient>();
  for (const n of spec.nodes) {
    const pw = n.auth ? password(n) : undefined;
    out.set(
      n.name,
      new CouchClient({
        url: n.url,
        // a cluster: couchmesh's requests fail over between its members (src/couch/members.ts)
        ...(n.members ? { members: n.members } : {}),
        ...(n.auth && pw !== undefined ? { auth: { username: n.auth.username, password: pw } } : {}),
        timeoutMs: 10_000,
        retries: 2,
        ...(typeof extra === 'function' ? extra(n) : extra),
      }),
    );
  }
  return out;
}

export interface RequestCount {
  /** GET/HEAD, and POSTs that only read (`_all_docs`, `_bulk_get`, `_find`, `_session`) */
  reads: number;
  /** PUT, DELETE and writing POSTs (`_bulk_docs`) */
  writes: number;
}

const READ_POSTS = /\/(_all_docs|_bulk_get|_find|_session|_dbs_info|_revs_diff)$/;

/** Is this HTTP exchange a write? (For request counting: "a second apply makes zero writes".) */
export function isWrite(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return false;
  return !(m === 'POST' && READ_POSTS.test(path));
}

/**
 * Counts the HTTP exchanges couchmesh makes, per node (plug `hook(node)` into the node's client as
 * `onResponse`). Only exchanges that got a status line are counted (a refused connection is not).
 */
export class RequestCounter {
  readonly #counts = new Map<string, RequestCount>();

  hook(node: string, next?: (e: ResponseEvent) => void): (e: ResponseEvent) => void {
    return (e) => {
      const c = this.#counts.get(node) ?? { reads: 0, writes: 0 };
      if (isWrite(e.method, e.path)) c.writes++;
      else c.reads++;
      this.#counts.set(node, c);
      next?.(e);
    };
  }

  /** The counts so far, per node. */
  snapshot(): Map<string, RequestCount> {
    return new Map([...this.#counts].map(([k, v]) => [k, { ...v }]));
  }

  /** Requests made since `before` (a snapshot), for `node`. */
  since(before: Map<string, RequestCount>, node: string): RequestCount {
    const now = this.#counts.get(node) ?? { reads: 0, writes: 0 };
    const then = before.get(node) ?? { reads: 0, writes: 0 };
    return { reads: now.reads - then.reads, writes: now.writes - then.writes };
  }
}

interface AllDocs {
  rows: Array<{ id: string; value: { rev: string }; doc?: Record<string, unknown> }>;
}

/**
 * Observes one node with two requests, in parallel: `GET /_all_dbs` and one read of `_replicator`
 * (`_all_docs?include_docs=true`), plus one `GET /{db}/_security` per database in `securedDbs`
 * (those declaring a `_security` object: 404 = the database is not there yet). An unreachable node (network or HTTP failure) is reported, not
 * thrown; so is a node that refused our credentials (401/403: `refused`, reachable, naming where
 * the credentials come from); any other exception is a bug and is thrown.
 */
export async function observeNode(
  node: NodeSpec,
  client: CouchClient,
  signal?: AbortSignal,
  securedDbs: readonly string[] = [],
  users: readonly DesiredUser[] = [],
  config: readonly DesiredConfig[] = [],
  prune?: MeshUsers,
): Promise<ObservedNode> {
  let requests = 2 + securedDbs.length + userReads(users, prune?.mesh) + config.length;
  try {
    const [dbs, rep, security, seenUsers, seenConfig] = await Promise.all([
      client.get<string[]>('/_all_dbs', undefined, signal ? { signal } : {}),
      client
        .get<AllDocs>('/_replicator/_all_docs', { include_docs: true }, signal ? { signal } : {})
        .catch((e: unknown) => {
          if (isCouchError(e) && e.status === 404) return { rows: [] } as AllDocs; // no _replicator yet
          throw e;
        }),
      readSecurity(client, securedDbs, signal),
      readUsers(client, users, signal, prune?.mesh),
      readConfig(client, config, signal),
    ]);
    // this mesh's users no longer desired here: their `_security` entries may be in databases
    // this node no longer carries (a removed link, a route given up), read those too (users-prune.ts)
    const extra = prune ? staleSecurityDbs(prune, users, seenUsers, dbs, securedDbs) : [];
    requests += extra.length;
    Object.assign(security, await readSecurity(client, extra, signal));
    const replicator: ObservedDoc[] = rep.rows
      .filter((r) => r.doc && !r.id.startsWith('_design/'))
      .map((r) => ({ id: r.id, rev: r.value.rev, body: r.doc as Record<string, unknown> }));
    return {
      node: node.name,
      reachable: true,
      databases: dbs,
      replicator,
      ...(securedDbs.length || extra.length ? { security } : {}),
      ...(users.length || prune ? { users: seenUsers } : {}),
      ...(config.length ? { config: seenConfig } : {}),
      // a cluster: the member that answered (couchmesh's requests fail over between members)
      ...(client.members.length ? { member: client.member } : {}),
      requests,
    };
  } catch (e) {
    // only the node's failures are "unreachable": a bug (a TypeError...) propagates with its stack
    if (!isNodeFailure(e)) throw e;
    const refused = REFUSED.has(e.code);
    return {
      node: node.name,
      reachable: refused,
      ...(refused ? { refused, credentials_ref: credentialsRef(node) } : {}),
      error: { code: e.code, message: e.message },
      databases: [],
      replicator: [],
      requests,
    };
  }
}

/** `GET /{db}/_security` of each database, in parallel; a missing database (404) has no entry. */
export async function readSecurity(
  client: CouchClient,
  dbs: readonly string[],
  signal?: AbortSignal,
): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  await Promise.all(
    dbs.map(async (db) => {
      try {
        out[db] = await client.get<Record<string, unknown>>(
          `/${encodeURIComponent(db)}/_security`,
          undefined,
          signal ? { signal } : {},
        );
      } catch (e) {
        if (!(isCouchError(e) && e.status === 404)) throw e;
      }
    }),
  );
  return out;
}

/** Observes every node, at most `concurrency` at a time. */
export async function observeMesh(
  spec: MeshSpec,
  clients: Map<string, CouchClient>,
  concurrency = 8,
  users: readonly DesiredUser[] = [],
  /** plan: also read this mesh's users no longer desired (users-prune.ts); the routes' pass needs none */
  ownUsers = false,
): Promise<ObservedNode[]> {
  const config = desiredConfig(spec);
  const prune = ownUsers ? meshUsersOf(spec) : undefined;
  return mapLimit(spec.nodes, concurrency, (n) =>
    observeNode(
      n,
      clients.get(n.name) as CouchClient,
      undefined,
      securedDbsOf(spec, n.name),
      users.filter((u) => u.node === n.name),
      config.filter((c) => c.node === n.name),
      prune,
    ),
  );
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
