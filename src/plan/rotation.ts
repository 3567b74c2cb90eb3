/**
 * Credential rotation: an update of a managed doc whose only difference is the endpoints'
 * credentials. It is its own kind in the plan (shown as "rotate credentials for n3 on 4 docs", never
 * as a generic update). CouchDB's replication id hashes the endpoints without their credentials
 * (couch_replicator_ids: credentials are not part of it), so a rotation keeps the
 * job's checkpoints: the replication resumes where it was, no re-scan.
 */
import { jsonEqual } from './desired.ts';
import type { ManagedReplication } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An endpoint without its credentials (`auth`); a URL string is kept as it is. */
const withoutAuth = (e: unknown): unknown => {
  if (!isObject(e)) return e;
  const { auth: _auth, ...rest } = e;
  return rest;
};

/** A compared field without credentials: endpoints lose `auth`, the marker its hash (it follows them). */
function stripped(key: string, v: unknown): unknown {
  if (key === 'source' || key === 'target') return withoutAuth(v);
  if (key === 'couchmesh' && isObject(v)) {
    const { spec: _spec, ...rest } = v;
    return rest;
  }
  return v;
}

/**
 * The nodes whose credentials an update rotates, when credentials are all it changes (`changed`:
 * the compared fields that differ); undefined when anything else differs too.
 */
export function rotatedNodes(
  current: Record<string, unknown>,
  want: ManagedReplication,
  changed: readonly string[],
): string[] | undefined {
  const desired = want as unknown as Record<string, unknown>;
  for (const k of changed) if (!jsonEqual(stripped(k, current[k]), stripped(k, desired[k]))) return undefined;
  const nodes: string[] = [];
  const auth = (e: unknown) => (isObject(e) ? e.auth : undefined);
  if (!jsonEqual(auth(current.source), want.source.auth)) nodes.push(want.couchmesh.from);
  if (!jsonEqual(auth(current.target), want.target.auth)) nodes.push(want.couchmesh.to);
  return nodes.length ? nodes : undefined;
}
