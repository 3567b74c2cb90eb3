/**
 * `GET /_membership` of a CouchDB 3 cluster (mem3): `cluster_nodes` are the members of the nodes
 * database (the cluster as configured), `all_nodes` the members this one is connected to, itself
 * included. A member in `cluster_nodes` but not in `all_nodes` is down or cut off
 * (cluster-samples/54 and 46: member 93 stopped). A single CouchDB lists its own name in both; the
 * embedded node does the same (src/node/http/routes/dbs-info.ts).
 */
import { z } from 'zod';
import { parseWith } from './parse.ts';

export interface Membership {
  /** `all_nodes`: connected members, sorted */
  all: string[];
  /** `cluster_nodes`: configured members, sorted */
  cluster: string[];
}

const MembershipSchema = z.object({
  all_nodes: z.array(z.string()),
  cluster_nodes: z.array(z.string()),
});

export function parseMembership(json: unknown): Membership {
  const m = parseWith(MembershipSchema, json, '_membership');
  return { all: [...m.all_nodes].sort(), cluster: [...m.cluster_nodes].sort() };
}

/** Configured members this one cannot see (`cluster_nodes` − `all_nodes`), sorted. */
export function downMembers(m: Membership | undefined): string[] {
  if (!m) return [];
  const up = new Set(m.all);
  return m.cluster.filter((n) => !up.has(n));
}

/** Configured members that answer (`cluster_nodes` ∩ `all_nodes`), sorted. */
export function liveMembers(m: Membership | undefined): string[] {
  if (!m) return [];
  const up = new Set(m.all);
  return m.cluster.filter((n) => up.has(n));
}

/** True when `_membership` names more than one configured member: the URL fronts a cluster. */
export const isMultiMember = (m: Membership | undefined): boolean => (m?.cluster.length ?? 0) > 1;
