/** What the poller reads: each node, its client, and the databases it reports the `update_seq` of. */
import type { CouchClient } from '../couch/client.ts';
import type { MeshLink } from '../observe/links.ts';

/** One node as the poller sees it. */
export interface PollTarget {
  name: string;
  client: CouchClient;
  /** databases whose `update_seq` this node reports (it is the source of a direction over them) */
  dbs: readonly string[];
}

/** Which node reports which db: every node of a link reports each of the link's databases. */
export function pollTargets(
  links: readonly MeshLink[],
  clients: ReadonlyMap<string, CouchClient>,
): PollTarget[] {
  const dbs = new Map<string, Set<string>>();
  for (const name of clients.keys()) dbs.set(name, new Set());
  for (const l of links) for (const d of l.directions) dbs.get(d.from)?.add(l.db);
  return [...clients.entries()].map(([name, client]) => ({
    name,
    client,
    dbs: [...(dbs.get(name) ?? [])].sort(),
  }));
}
