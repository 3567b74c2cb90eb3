import type { CouchClient } from '../couch/client.ts';
import { mapLimit } from '../plan/observe.ts';
import type { Action, Plan } from '../plan/types.ts';
import { finishMoves, type MoveOptions } from './moves.ts';
import { applyNode, groupBy, type NodeResult } from './write-node.ts';

export type { ApplyEvent, MoveOptions } from './moves.ts';
export type { NodeResult } from './write-node.ts';

export interface ApplyResult {
  ok: boolean;
  partial: boolean;
  nodes: NodeResult[];
  applied: number;
}

type Move = Extract<Action, { kind: 'move' }>;

/**
 * Applies a plan: per node, the missing databases (PUT, 412 = already there), then every document
 * change in ONE `_bulk_docs`. Nodes are written concurrently (bounded); a failing node does not stop
 * the others, and the result says which nodes failed and why (partial success).
 *
 * A move is two writes in order: its delete goes in the old node's `_bulk_docs` with everything
 * else; its create is written afterwards (one more `_bulk_docs` on the new node), and only when the
 * delete succeeded and (with `opts.awaitStop`) the old node's scheduler dropped the job — so a
 * direction never has two live jobs. A move not finished is reported on its new node.
 */
export async function applyPlan(
  plan: Plan,
  clients: Map<string, CouchClient>,
  concurrency = 8,
  opts: MoveOptions = {},
): Promise<ApplyResult> {
  const first = groupBy(plan.actions, (a) => (a.kind === 'move' ? a.old_node : a.node));
  const nodes = await mapLimit([...first.entries()], concurrency, ([node, actions]) =>
    applyNode(node, actions, clients.get(node) as CouchClient),
  );
  const moves = plan.actions.filter((a): a is Move => a.kind === 'move');
  if (moves.length) await finishMoves(moves, nodes, clients, concurrency, opts);
  const applied = nodes.reduce((n, r) => n + r.applied, 0);
  const failed = nodes.filter((r) => !r.ok);
  return { ok: failed.length === 0, partial: failed.length > 0 && applied > 0, nodes, applied };
}
