// The invariants checked once every fault is healed (issue #16):
//  1. convergence: `verify` finds every linked pair identical (ids, leaves, winners);
//  2. no acknowledged write lost: every rev a node acked is, on every node, the winner, a losing
//     leaf (no conflict strategy is configured, so CouchDB keeps both: `_conflicts`), or an
//     ancestor of a leaf (a later edit superseded it: its history is kept, as CouchDB keeps it);
//  3. the plan is empty: the faults left no replication document to create, update or delete.

import { openMesh } from '../../../src/ops/mesh.ts';
import { preparePlan } from '../../../src/ops/plan.ts';
import type { VerifyReport } from '../../../src/ops/verify.ts';
import { verifyOpenMesh } from '../../../src/ops/verify.ts';
import { type HeldDoc, heldDocs, type Presence, presence } from '../../../src/rehearse/held.ts';
import { type ChaosWorld, DB, type Json } from './world.ts';
import type { Ack } from './writers.ts';

export interface Converged {
  ok: boolean;
  /** verify passes until every pair was identical */
  passes: number;
  last: VerifyReport;
}

/** Verify until every pair is identical, at most `maxPasses` passes `pauseMs` apart (bounded by count). */
export async function converge(w: ChaosWorld, maxPasses = 150, pauseMs = 200): Promise<Converged> {
  const r = openMesh({ file: w.file }, w.deps());
  if (!r.ok) throw new Error(`invalid mesh: ${JSON.stringify(r.validation.diagnostics)}`);
  try {
    let last: VerifyReport | undefined;
    for (let i = 1; i <= maxPasses; i++) {
      last = await verifyOpenMesh(r.mesh, {});
      const s = last.summary;
      if (s.divergent === 0 && s.not_compared === 0) return { ok: true, passes: i, last };
      await new Promise((res) => setTimeout(res, pauseMs));
    }
    return { ok: false, passes: maxPasses, last: last as VerifyReport };
  } finally {
    await r.mesh.close();
  }
}

// what a node holds and how an acked rev is held: src/rehearse/held.ts (`couchmesh rehearse` checks the same)
export { type HeldDoc, type Presence, presence } from '../../../src/rehearse/held.ts';

/** Per doc id: its winner, leaves, and every rev in the leaves' histories, as `node` holds them. */
export function revisionsOn(w: ChaosWorld, node: string): Promise<Map<string, HeldDoc>> {
  return heldDocs((method, path, body) => w.ok(node, method, path, body), DB);
}

export interface AckCheck {
  /** acknowledged writes missing on at least one node */
  lost: Ack[];
  /** on the first node: how the acked revs are held */
  counts: Record<Presence, number>;
  /** docs with more than one live leaf (conflicts), on the first node */
  conflicted: number;
}

export async function checkAcked(w: ChaosWorld, acks: readonly Ack[]): Promise<AckCheck> {
  const lost = new Map<string, Ack>();
  const counts: Record<Presence, number> = { winner: 0, leaf: 0, ancestor: 0 };
  let conflicted = 0;
  for (const [i, node] of w.topology.nodes.entries()) {
    const held = await revisionsOn(w, node);
    for (const a of acks) {
      const p = presence(held, a);
      if (!p) lost.set(`${a.id} ${a.rev}`, a);
      else if (i === 0) counts[p]++;
    }
    if (i === 0) {
      const leaves = await w.ok(node, 'GET', `/${DB}/_all_docs?conflicts=true&include_docs=true`);
      conflicted = (leaves.rows as Json[]).filter((r) => r.doc?._conflicts?.length).length;
    }
  }
  return { lost: [...lost.values()], counts, conflicted };
}

/** The actions a fresh plan would take (0 = nothing to do). */
export async function planActions(w: ChaosWorld): Promise<number> {
  const prep = await preparePlan({ file: w.file }, w.deps());
  if (!prep.ok) throw new Error('invalid mesh');
  try {
    return prep.plan.actions.length;
  } finally {
    await prep.close();
  }
}
