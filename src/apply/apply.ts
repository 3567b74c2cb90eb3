import type { CouchClient } from '../couch/client.ts';
import { mapLimit } from '../plan/observe.ts';
import type { Action, Plan } from '../plan/types.ts';
import { finishMoves, type MoveOptions } from './moves.ts';
import {
  groupBy,
  type NodeResult,
  newResult,
  type SetupOptions,
  setupNode,
  writeNodeDocs,
} from './write-node.ts';

export type { ApplyEvent, MoveOptions } from './moves.ts';
export type { NodeResult, SetupOptions } from './write-node.ts';

export type ApplyOptions = MoveOptions & SetupOptions;

export interface ApplyResult {
  ok: boolean;
  partial: boolean;
  nodes: NodeResult[];
  applied: number;
}

type Move = Extract<Action, { kind: 'move' }>;

/**
 * Applies a plan in two phases. First, on every node, the missing databases (PUT, 412 = already
 * there; each new one read back until it answers 200, with `opts.clock`), users, config and
 * `_security`; then, on every node, every document change in ONE `_bulk_docs`. So no replication
 * job starts against a peer's database that does not exist yet (it would crash with `db_not_found`
 * and wait 30-60 s for its retry). Nodes are written concurrently (bounded); a failing node does
 * not stop the others, and the result says which nodes failed and why (partial success).
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
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const work = [...groupBy(plan.actions, (a) => (a.kind === 'move' ? a.old_node : a.node)).entries()].map(
    ([node, actions]) => ({ actions, r: newResult(node), client: clients.get(node) as CouchClient }),
  );
  const setup = {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  await mapLimit(work, concurrency, (w) => setupNode(w.r, w.actions, w.client, setup));
  await mapLimit(work, concurrency, (w) => writeNodeDocs(w.r, w.actions, w.client));
  const nodes = work.map((w) => w.r);
  const moves = plan.actions.filter((a): a is Move => a.kind === 'move');
  if (moves.length) await finishMoves(moves, nodes, clients, concurrency, opts);
  const applied = nodes.reduce((n, r) => n + r.applied, 0);
  const failed = nodes.filter((r) => !r.ok);
  return { ok: failed.length === 0, partial: failed.length > 0 && applied > 0, nodes, applied };
}
