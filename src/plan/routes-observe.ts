/**
 * What the routed desired state needs read besides the first observation (#15 with
 * replication_users): the observation is made before the routes are known (they are read from it),
 * so the users and `_security` objects that only the store-and-forward legs need (a leg's user on
 * the relay or on the far end, the relay's copy of the database) were not read. Without this the
 * planner would re-create existing users (409) and re-write the relay's `_security` on every plan.
 */
import type { CouchClient } from '../couch/client.ts';
import { readSecurity } from './observe.ts';
import type { DesiredState, ObservedNode } from './types.ts';
import { readUsers } from './users.ts';

export async function observeRouted(
  observed: ObservedNode[],
  clients: ReadonlyMap<string, CouchClient>,
  desired: DesiredState,
  routed: DesiredState,
): Promise<void> {
  if (routed === desired) return;
  const had = new Set((desired.users ?? []).map((u) => `${u.node}\0${u.name}`));
  await Promise.all(
    observed.map(async (o) => {
      const client = clients.get(o.node);
      if (!client || !o.reachable || o.refused) return;
      const users = (routed.users ?? []).filter((u) => u.node === o.node && !had.has(`${u.node}\0${u.name}`));
      const dbs = (routed.security ?? [])
        .filter((s) => s.node === o.node && !(o.security && s.db in o.security))
        .map((s) => s.db);
      try {
        if (users.length) o.users = { ...o.users, ...(await readUsers(client, users)) };
        if (dbs.length) o.security = { ...o.security, ...(await readSecurity(client, dbs)) };
      } catch {
        // the node failed since it was observed: the plan's writes to it fail and are reported
      }
    }),
  );
}
