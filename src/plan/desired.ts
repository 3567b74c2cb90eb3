import { createHash } from 'node:crypto';
import { userError } from '../core/errors.ts';
import type { LinkSpec, MeshSpec, NodeSpec } from '../spec/types.ts';
import type { DesiredDoc, DesiredState, Endpoint, ManagedReplication } from './types.ts';

/** Resolves a node's password from its reference (env var or file); undefined when the node has no auth. */
export type PasswordOf = (node: NodeSpec) => string | undefined;

/** Deterministic, readable `_id`: `couchmesh.<mesh>.<db>.<from>--<to>`. */
export const docId = (mesh: string, db: string, from: string, to: string) =>
  `couchmesh.${mesh}.${db}.${from}--${to}`;

/** The fields we own, in a stable order, hashed: the ownership marker's `spec`. */
export function ownedHash(doc: Omit<ManagedReplication, 'couchmesh'> & { couchmesh?: unknown }): string {
  const { couchmesh: _ignored, ...owned } = doc as Record<string, unknown>;
  return createHash('sha256').update(stableJson(owned)).digest('hex').slice(0, 16);
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
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

function directionDoc(
  spec: MeshSpec,
  link: LinkSpec,
  db: string,
  from: NodeSpec,
  to: NodeSpec,
  password: PasswordOf,
): DesiredDoc {
  const where = placement(from, to);
  const p = link.params;
  const fields = {
    source: endpoint(from, db, password),
    target: endpoint(to, db, password),
    continuous: true,
    create_target: false,
    checkpoint_interval: p.checkpoint_interval,
    worker_batch_size: p.worker_batch_size,
    http_connections: p.http_connections,
    connection_timeout: p.connection_timeout,
    retries_per_request: p.retries_per_request,
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

/** Desired state: every link x database -> two replication documents (one per direction). */
export function desiredState(spec: MeshSpec, password: PasswordOf): DesiredState {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const docs: DesiredDoc[] = [];
  const dbs = new Set<string>();
  for (const link of spec.links) {
    const [a, b] = link.nodes.map((n) => byName.get(n)) as [NodeSpec, NodeSpec];
    for (const db of link.databases) {
      docs.push(directionDoc(spec, link, db, a, b, password), directionDoc(spec, link, db, b, a, password));
      dbs.add(`${a.name}\0${db}`);
      dbs.add(`${b.name}\0${db}`);
    }
  }
  const databases = [...dbs].map((k) => {
    const [node, db] = k.split('\0') as [string, string];
    return { node, db };
  });
  return { mesh: spec.mesh, nodes: spec.nodes.map((n) => n.name), databases, docs };
}
