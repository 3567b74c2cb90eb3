/**
 * One node's share of an apply, in two phases: `setupNode` (its missing databases, read back until
 * they answer, its users, config and declared `_security` objects), then `writeNodeDocs` (every
 * document change in one `_bulk_docs`, then the users to delete). `applyPlan` runs the first phase
 * on every node before the second on any.
 */
import type { Clock } from '../core/clock.ts';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { configPath } from '../plan/config.ts';
import type { Action } from '../plan/types.ts';
import { userDoc, userDocPath } from '../plan/users.ts';
import { waitForDatabase } from './wait-db.ts';

export interface NodeResult {
  node: string;
  ok: boolean;
  /** actions that took effect */
  applied: number;
  /** per-action failures (e.g. a 409 because the doc changed since the plan) */
  failures: Array<{ id?: string; db?: string; error: string; reason: string }>;
  /** the node could not be written at all */
  error?: { code: string; message: string };
  requests: number;
}

/** The `_bulk_docs` entry of an action (a move's first half: the delete on its old node). */
function docFor(a: Action): Record<string, unknown> | undefined {
  if (a.kind === 'create-doc') return { _id: a.id, ...a.doc };
  if (a.kind === 'update-doc') return { _id: a.id, _rev: a.rev, ...a.doc };
  if (a.kind === 'delete-doc') return { _id: a.id, _rev: a.rev, _deleted: true };
  if (a.kind === 'move') return { _id: a.id, _rev: a.old_rev, _deleted: true };
  return undefined;
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const list = out.get(key(x)) ?? [];
    list.push(x);
    out.set(key(x), list);
  }
  return out;
}

export const newResult = (node: string): NodeResult => ({
  node,
  ok: true,
  applied: 0,
  failures: [],
  requests: 0,
});

/** How long a new database may take to answer; without a clock, no wait (unit tests of one phase). */
export interface SetupOptions {
  clock?: Clock;
  signal?: AbortSignal;
}

/** Records a thrown failure as the node's error (the node's later writes are then skipped). */
function fail(r: NodeResult, e: unknown): void {
  r.error = {
    code: isCouchError(e) ? e.code : 'E_APPLY',
    message: e instanceof Error ? e.message : String(e),
  };
  r.ok = false;
}

/** The query of a database's creation: a cluster's shard count and copies when declared. */
const createQuery = (a: Extract<Action, { kind: 'create-db' }>) =>
  a.q === undefined && a.n === undefined
    ? undefined
    : { ...(a.q !== undefined ? { q: a.q } : {}), ...(a.n !== undefined ? { n: a.n } : {}) };

/**
 * Phase 1 on one node: PUT each missing database (412 = already there) and read each one created
 * back until it answers 200 (wait-db.ts), then its users and config, then each declared `_security`
 * (after its database exists: CouchDB answers 404 for a missing one).
 */
export async function setupNode(
  r: NodeResult,
  actions: Action[],
  client: CouchClient,
  o: SetupOptions = {},
): Promise<void> {
  try {
    const created: string[] = [];
    for (const a of actions) {
      if (a.kind !== 'create-db') continue;
      r.requests++;
      const query = createQuery(a);
      const res = await client.request({
        method: 'PUT',
        path: `/${encodeURIComponent(a.db)}`,
        ...(query ? { query } : {}),
      });
      if (res.status === 201 || res.status === 202) created.push(a.db);
      if (res.status === 201 || res.status === 202 || res.status === 412) r.applied++;
      else
        r.failures.push({ db: a.db, error: String(res.status), reason: `could not create database ${a.db}` });
    }
    const clock = o.clock;
    if (clock)
      for (const db of created) {
        const why = await waitForDatabase(client, db, { clock, signal: o.signal }, () => r.requests++);
        if (why) r.failures.push({ db, error: 'db_not_ready', reason: why });
      }
    for (const a of actions) {
      if (a.kind !== 'set-user') continue;
      r.requests++;
      // before the docs that authenticate as the user; the node hashes the password (couch_users_db)
      const res = await client.request({ method: 'PUT', path: userDocPath(a.name), body: userDoc(a) });
      if (res.status === 201 || res.status === 202) r.applied++;
      else
        r.failures.push({
          id: `org.couchdb.user:${a.name}`,
          error: String(res.status),
          reason: `could not set user ${a.name}`,
        });
    }
    for (const a of actions) {
      if (a.kind !== 'set-config') continue;
      r.requests++;
      // CouchDB's `_config` takes a JSON string (encoded here: a string body is sent as is) and
      // answers the old value (200)
      const res = await client.request({
        method: 'PUT',
        path: configPath(a.section, a.key),
        body: JSON.stringify(a.value),
      });
      if (res.status === 200) r.applied++;
      else
        r.failures.push({
          id: `_config/${a.section}/${a.key}`,
          error: String(res.status),
          reason: `could not set [${a.section}] ${a.key}`,
        });
    }
    for (const a of actions) {
      if (a.kind !== 'set-security') continue;
      r.requests++;
      // the whole object: CouchDB's PUT /{db}/_security replaces it (there is no partial update)
      const res = await client.request({
        method: 'PUT',
        path: `/${encodeURIComponent(a.db)}/_security`,
        body: a.security,
      });
      if (res.status === 200 || res.status === 201) r.applied++;
      else
        r.failures.push({
          db: a.db,
          error: String(res.status),
          reason: `could not set the _security of ${a.db}`,
        });
    }
  } catch (e) {
    fail(r, e);
  }
  r.ok = !r.error && r.failures.length === 0;
}

/** Phase 2 on one node: every document change in one `_bulk_docs`, then the users to delete. */
export async function writeNodeDocs(r: NodeResult, actions: Action[], client: CouchClient): Promise<void> {
  if (r.error) return; // the node failed in phase 1: nothing more is sent to it
  try {
    const docs = actions.map(docFor).filter((d): d is Record<string, unknown> => d !== undefined);
    if (docs.length) {
      r.requests++;
      const results = await client.post<Array<{ id: string; ok?: boolean; error?: string; reason?: string }>>(
        '/_replicator/_bulk_docs',
        { docs },
      );
      for (const x of results) {
        if (x.ok) r.applied++;
        else r.failures.push({ id: x.id, error: x.error ?? 'error', reason: x.reason ?? '' });
      }
    }
    // destroy: a replication user goes once the docs authenticating as it are gone (404: already)
    for (const a of actions) {
      if (a.kind !== 'delete-user') continue;
      r.requests++;
      const res = await client.request({
        method: 'DELETE',
        path: userDocPath(a.name),
        query: { rev: a.rev },
      });
      if (res.status === 200 || res.status === 202 || res.status === 404) r.applied++;
      else
        r.failures.push({
          id: `org.couchdb.user:${a.name}`,
          error: String(res.status),
          reason: `could not delete user ${a.name}`,
        });
    }
  } catch (e) {
    fail(r, e);
  }
  r.ok = !r.error && r.failures.length === 0;
}

/** Both phases on one node (a move's create on its new node, after the other nodes' writes). */
export async function applyNode(
  node: string,
  actions: Action[],
  client: CouchClient,
  o: SetupOptions = {},
): Promise<NodeResult> {
  const r = newResult(node);
  await setupNode(r, actions, client, o);
  await writeNodeDocs(r, actions, client);
  return r;
}
