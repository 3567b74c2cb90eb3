// One simulated node answering as a CouchDB 3 cluster of several members behind one URL
// (`--cluster-nodes=3`): its `_scheduler/docs`, `_scheduler/jobs` and `_active_tasks` are
// cluster-wide, every entry naming the member that owns the doc and runs its job (spread over the
// members in doc order, as couch_replicator_clustering spreads docs by shard owner), and the first
// doc is also reported by the next member as a stale copy (pending / stopped, older), as happens
// while a doc changes owner. Other nodes answer as single servers (`couchdb@<node>.fleet`).
// `_membership` names the members (every one connected: `all_nodes` = `cluster_nodes`, a single
// server its own name), so the poller reads each member's `_node/<member>/_stats/couch_replicator`
// (observe/side-reads.ts) and the scale bench counts those reads; each member counts its own jobs
// (cluster-samples/81), `_local` being the member the URL reaches (the first).
import type { SimDirection, SimNode } from './fleet-sim-state.ts';

export interface SimCluster {
  /** the simulated node that is a cluster (default n1) */
  node: string;
  /** its members (>= 2 to be a cluster) */
  members: number;
}

const single = (n: SimNode) => `couchdb@${n.name}.fleet`;
const member = (n: SimNode, k: number) => `couchdb@${n.name}-c${k + 1}.fleet`;

export class ClusterNames {
  constructor(readonly cluster: SimCluster | undefined) {}

  #isCluster(n: SimNode): boolean {
    return !!this.cluster && this.cluster.members > 1 && n.name === this.cluster.node;
  }

  /** The `node` value of the entries of `d`: the owner member on the cluster node. */
  owner(n: SimNode, d: SimDirection): string {
    if (!this.#isCluster(n)) return single(n);
    return member(n, n.held.indexOf(d) % (this.cluster as SimCluster).members);
  }

  #members(n: SimNode): string[] {
    if (!this.#isCluster(n)) return [single(n)];
    return Array.from({ length: (this.cluster as SimCluster).members }, (_, k) => member(n, k));
  }

  /** `GET /_membership` (cluster-samples/03): all members connected. */
  membership(n: SimNode): { all_nodes: string[]; cluster_nodes: string[] } {
    const all = this.#members(n);
    return { all_nodes: all, cluster_nodes: [...all] };
  }

  /** The directions whose jobs member `name` runs (`_local`: the first member); undefined: no such member. */
  heldBy(n: SimNode, name: string): SimDirection[] | undefined {
    const m = name === '_local' ? this.#members(n)[0] : name;
    if (!m || !this.#members(n).includes(m)) return undefined;
    return this.#isCluster(n) ? n.held.filter((d) => this.owner(n, d) === m) : n.held;
  }

  /** The direction reported twice on the cluster node, and the member reporting the stale copy. */
  stale(n: SimNode): { d: SimDirection; node: string } | undefined {
    const d = n.held[0];
    if (!this.#isCluster(n) || !d) return undefined;
    return { d, node: member(n, 1 % (this.cluster as SimCluster).members) };
  }
}
