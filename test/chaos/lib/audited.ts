// The invariants when a conflict strategy is configured (lww on `updated_at`, resolved on one node):
// after the resolver ran and the mesh converged again, no node holds a live conflict, and every
// acknowledged rev outside the winner's history sits on a branch closed either by a user's own
// acked deletion or by the resolver, whose audit trail then names that branch's leaf as a loser
// (what `couchmesh conflicts undo` puts back). A resolver's tombstone without its audit entry
// would be a silently discarded write.
import { CouchClient } from '../../../src/couch/index.ts';
import { listAuditEntries } from '../../../src/resolve/index.ts';
import { revisionsOn } from './invariants.ts';
import type { ChaosWorld } from './world.ts';
import type { Ack } from './writers.ts';

export interface ResolvedCheck {
  violations: string[];
  /** acked revs whose branch the resolver closed, found in the audit trail (first node) */
  audited: number;
}

/** doc id -> the loser revs of the resolution entries in `auditDb` on `node` (both layouts). */
async function auditedLosers(
  w: ChaosWorld,
  node: string,
  auditDb: string,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const client = new CouchClient({
    url: w.node(node).url,
    auth: { username: 'admin', password: w.password },
  });
  try {
    for (const e of await listAuditEntries(client, auditDb)) {
      if (e.type !== 'couchmesh.resolution') continue;
      const set = out.get(e.doc_id) ?? new Set<string>();
      for (const l of e.losers) set.add(l.rev);
      out.set(e.doc_id, set);
    }
  } finally {
    await client.close();
  }
  return out;
}

export async function checkResolved(
  w: ChaosWorld,
  acks: readonly Ack[],
  resolver: string,
  auditDb = 'couchmesh_audit',
): Promise<ResolvedCheck> {
  const losers = await auditedLosers(w, resolver, auditDb);
  const userDeleted = new Set(acks.filter((a) => a.deleted).map((a) => `${a.id} ${a.rev}`));
  const violations: string[] = [];
  let audited = 0;
  for (const [i, node] of w.topology.nodes.entries()) {
    const held = await revisionsOn(w, node);
    const live = [...held].filter(
      ([, d]) => [...(d.branches?.values() ?? [])].filter((b) => !b.deleted).length > 1,
    );
    if (live.length)
      violations.push(
        `${node}: ${live.length} documents still in conflict (${live
          .slice(0, 3)
          .map(([id]) => id)
          .join(', ')})`,
      );
    const unaudited: string[] = [];
    for (const a of acks) {
      const d = held.get(a.id);
      const branches = [...(d?.branches ?? new Map()).entries()];
      if (!d || d.branches?.get(d.winner)?.history.includes(a.rev)) continue; // lost is checked elsewhere
      const closed = branches.filter(([, b]) => b.history.includes(a.rev));
      const byUser = closed.some(([leaf, b]) => b.deleted && userDeleted.has(`${a.id} ${leaf}`));
      const byResolver = closed.some(([, b]) => b.deleted && losers.get(a.id)?.has(b.history[1] as string));
      if (byResolver && i === 0) audited++;
      if (!byUser && !byResolver) unaudited.push(`${a.id}@${a.rev}`);
    }
    if (unaudited.length)
      violations.push(
        `${node}: ${unaudited.length} acked revs on a losing branch without an audit entry (${unaudited.slice(0, 3).join(', ')})`,
      );
  }
  return { violations, audited };
}
