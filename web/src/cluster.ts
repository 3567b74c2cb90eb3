/**
 * CLUSTERS (#17) on the dashboard: what the status report says of a node that is a CouchDB cluster,
 * as panel facts and node labels. The member running a direction's job (`cluster_node`: whose
 * couch.log holds its lines), the configured members a cluster node cannot see (`_membership`'s
 * `cluster_nodes` minus `all_nodes`), and the member URL that answered the control plane's reads of
 * a node declared with `members:` (it fails over between them).
 */
import type { GraphDirection } from '../../src/controller/view.ts';
import type { NodeRow, StatusReport } from '../../src/ops/status.ts';
import { rowOf } from './health.ts';

export function nodeRowOf(status: StatusReport | null, node: string): NodeRow | null {
  return status?.nodes.find((n) => n.node === node) ?? null;
}

/** The link panel's cluster facts: the member per direction, and per endpoint its members down and the member that answered. */
export function memberFacts(status: StatusReport | null, d: GraphDirection): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const row = rowOf(status, d);
  if (row?.cluster_node) out.push(['member', row.cluster_node]);
  // its doc's owner member is down and the cluster has not moved it yet (observe/cluster.ts)
  else if (row?.state === 'unassigned') out.push(['member', 'owner down, not yet moved']);
  for (const name of [d.from, d.to]) {
    const n = nodeRowOf(status, name);
    if (n?.members_down?.length) out.push([`${name} members down`, n.members_down.join(', ')]);
    if (n?.member) out.push([`${name} answered by`, n.member]);
  }
  return out;
}

/** The node's label suffix on the graph: how many of its members are down, if any. */
export function membersDownLabel(status: StatusReport | null, node: string): string {
  const n = nodeRowOf(status, node);
  const down = n?.members_down?.length ?? 0;
  if (!down) return '';
  const of = n?.cluster_members?.length;
  return `${down}${of ? ` of ${of}` : ''} member${down === 1 && !of ? '' : 's'} down`;
}
