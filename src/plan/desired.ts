import { createHash } from 'node:crypto';
import { userError } from '../core/errors.ts';
import { canaryDocId, canaryOf } from '../spec/canary.ts';
import { REPLICATION_PARAMS } from '../spec/link-classes.ts';
import { replicationUserOf } from '../spec/replication-users.ts';
import type { LinkSpec, MeshSpec, NodeSpec } from '../spec/types.ts';
import { viaRelayProxy } from '../spec/via-relay.ts';
import { desiredConfig } from './config.ts';
import { redact } from './redact.ts';
import { desiredSecurity } from './security.ts';
import type { DesiredDoc, DesiredState, Endpoint, ManagedReplication } from './types.ts';
import { desiredUsers } from './users.ts';

/** Resolves a node's password from its reference (env var or file); undefined when the node has no auth. */
export type PasswordOf = (node: NodeSpec) => string | undefined;

/** Deterministic, readable `_id`: `couchmesh.<mesh>.<db>.<from>--<to>`. */
export const docId = (mesh: string, db: string, from: string, to: string) =>
  `couchmesh.${mesh}.${db}.${from}--${to}`;

/** The replication fields couchmesh writes and compares (besides the `couchmesh` ownership marker). */
export const REPLICATION_FIELDS = [
  'source',
  'target',
  'continuous',
  'create_target',
  ...REPLICATION_PARAMS,
  // set while FAILOVER routes the direction through a relay's proxy, or for a via_relay cluster
  // (absent: not hashed)
  'source_proxy',
  'target_proxy',
] as const;

/**
 * Fields couchmesh keeps absent from its documents: each changes *what* replicates, so one added by
 * hand to a managed document (a `filter`, a `selector`…) is drift, removed by the next apply.
 */
export const ABSENT_FIELDS = [
  'filter',
  'query_params',
  'selector',
  'doc_ids',
  'since_seq',
  'use_checkpoints',
  'winning_revs_only',
] as const;

/** The fields the ownership hash covers, as found in `body` (absent ones left out). */
export function pickOwned(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of [...REPLICATION_FIELDS, ...ABSENT_FIELDS]) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

/**
 * The ownership marker's `spec`: a hash of the owned fields as couchmesh wrote them. Secrets are
 * replaced by `(sensitive)` before hashing, so the hash (shown in plans and stored in documents)
 * reveals nothing about a password; a changed password is still seen, as a change of `source`/`target`.
 */
export function ownedHash(body: Record<string, unknown>): string {
  return createHash('sha256')
    .update(stableJson(redact(pickOwned(body))))
    .digest('hex')
    .slice(0, 16);
}

/** JSON with object keys sorted (a canonical text for hashing and comparing). */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (stableJson(v[i]) ?? 'null');
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    if (o[k] === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${stableJson(o[k])}`;
    first = false;
  }
  return `${out}}`;
}

/** Deep equality of JSON values (key order ignored, undefined members = absent): stableJson(a) === stableJson(b). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    n++;
    if (!jsonEqual(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

function endpoint(node: NodeSpec, db: string, password: PasswordOf): Endpoint {
  const url = `${node.url}/${encodeURIComponent(db)}`;
  if (!node.auth) return { url };
  const pw = password(node);
  if (pw === undefined)
    throw userError(
      'E_CREDENTIAL',
      `no password for node '${node.name}' (${node.auth.password_env ? `env ${node.auth.password_env}` : `file ${node.auth.password_file}`})`,
      node.auth.password_env ? `export ${node.auth.password_env}=...` : 'create the password file',
    );
  return { url, auth: { basic: { username: node.auth.username, password: pw } } };
}

/**
 * Where the document for direction from->to lives: on the target (pull) when the target can reach
 * the source; on the source (push) when the source is behind NAT; nowhere when neither can reach
 * the other (validation already refuses such links).
 */
export function placement(from: NodeSpec, to: NodeSpec): { node: string; mode: 'pull' | 'push' } {
  if (from.reachable) return { node: to.name, mode: 'pull' };
  if (to.reachable) return { node: from.name, mode: 'push' };
  throw userError(
    'E_LINK_UNDRIVABLE',
    `link ${from.name} -> ${to.name}: neither node is reachable by the other, so no node can run the replication`,
    'mark one of them reachable (a public URL or a relay), or route the link through a relay node',
  );
}

export function directionDoc(
  spec: MeshSpec,
  link: LinkSpec,
  db: string,
  from: NodeSpec,
  to: NodeSpec,
  password: PasswordOf,
): DesiredDoc {
  const where = placement(from, to);
  const p = link.params;
  // with replication users, both endpoints are reached as the driving node's (or the link's) user,
  // never as admin
  const repl = replicationUserOf(spec, link, where.node);
  // a link's `endpoints:` override reaches a node through another address (a relay, a test proxy)
  const as = (n: NodeSpec): NodeSpec => {
    const url = link.endpoints?.[n.name] ?? n.url;
    return repl ? { ...n, url, auth: repl } : url === n.url ? n : { ...n, url };
  };
  const fields = {
    source: endpoint(as(from), db, password),
    target: endpoint(as(to), db, password),
    continuous: true,
    create_target: false,
    checkpoint_interval: p.checkpoint_interval,
    worker_batch_size: p.worker_batch_size,
    http_connections: p.http_connections,
    connection_timeout: p.connection_timeout,
    retries_per_request: p.retries_per_request,
    // the canary database carries one doc per direction, and only its own direction's job moves it:
    // never forwarded over another hop, so each canary measures its direct path (FAILOVER, #15)
    ...viaRelay(spec, link, from, to),
    ...(db === canaryOf(spec)?.database ? { doc_ids: [canaryDocId(from.name, to.name)] } : {}),
  };
  const body: ManagedReplication = {
    ...fields,
    couchmesh: {
      mesh: spec.mesh,
      db,
      from: from.name,
      to: to.name,
      link: link.key,
      class: link.class,
      spec: ownedHash(fields),
    },
  };
  return { node: where.node, id: docId(spec.mesh, db, from.name, to.name), body, mode: where.mode };
}

/**
 * A members-only cluster with `via_relay` (#17) is reached through its relay's proxy: `source_proxy`
 * when it is the source, `target_proxy` when it is the target (both when both are). The docs keep
 * naming its first member and CouchDB leaves proxies out of the replication id (couch_replicator_ids),
 * so the relay may send that member's traffic to another member while ids and checkpoints stay.
 * A link's `endpoints:` override for the node wins (it names its own address).
 */
function viaRelay(spec: MeshSpec, link: LinkSpec, from: NodeSpec, to: NodeSpec) {
  const proxy = (n: NodeSpec) => (link.endpoints?.[n.name] ? undefined : viaRelayProxy(spec, n));
  const [src, tgt] = [proxy(from), proxy(to)];
  return { ...(src ? { source_proxy: src } : {}), ...(tgt ? { target_proxy: tgt } : {}) };
}

/** Desired state: every link x database -> two replication documents (one per direction). */
export function desiredState(spec: MeshSpec, password: PasswordOf): DesiredState {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const docs: DesiredDoc[] = [];
  const dbs = new Set<string>();
  for (const link of spec.links) {
    const [a, b] = link.nodes.map((n) => byName.get(n)) as [NodeSpec, NodeSpec];
    const canary = canaryOf(spec)?.database;
    for (const db of canary ? [...link.databases, canary] : link.databases) {
      docs.push(directionDoc(spec, link, db, a, b, password), directionDoc(spec, link, db, b, a, password));
      dbs.add(`${a.name}\0${db}`);
      dbs.add(`${b.name}\0${db}`);
    }
  }
  const databases = [...dbs].map((k) => {
    const [node, db] = k.split('\0') as [string, string];
    return { node, db, ...shardsOf(spec, byName.get(node), db) };
  });
  const security = desiredSecurity(spec, databases);
  const users = desiredUsers(spec, docs);
  const config = desiredConfig(spec);
  return {
    mesh: spec.mesh,
    nodes: spec.nodes.map((n) => n.name),
    databases,
    docs,
    ...(security.length ? { security } : {}),
    ...(users.length ? { users } : {}),
    ...(config.length ? { config } : {}),
  };
}

/**
 * A cluster's `q`/`n` for a database (`databases[].q`/`.n`), on nodes with `members:` only: a single
 * server takes `q` too but `n` means nothing there. CouchDB reads both only at creation (a database
 * keeps its shard map; changing it is a reshard, which couchmesh never does).
 */
function shardsOf(spec: MeshSpec, node: NodeSpec | undefined, db: string): { q?: number; n?: number } {
  const d = spec.databases.find((x) => x.name === db);
  if (!node?.members || !d) return {};
  return { ...(d.q !== undefined ? { q: d.q } : {}), ...(d.n !== undefined ? { n: d.n } : {}) };
}
