import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { mapLimit } from '../plan/observe.ts';
import type { Action, Plan } from '../plan/types.ts';

export interface NodeResult {
  node: string;
  ok: boolean;
  /** actions that took effect */
  applied: number;
  /** per-action failures (e.g. a 409 because the doc changed since the plan) */
  failures: Array<{ id?: string; db?: string; error: string; reason: string }>;
  /** the node could not be written at all */
  error?: { code: string; message: string };
  requests: number;
}

export interface ApplyResult {
  ok: boolean;
  partial: boolean;
  nodes: NodeResult[];
  applied: number;
}

/** The `_bulk_docs` entry of an action (a move's first half: the delete on its old node). */
function docFor(a: Action): Record<string, unknown> | undefined {
  if (a.kind === 'create-doc') return { _id: a.id, ...a.doc };
  if (a.kind === 'update-doc') return { _id: a.id, _rev: a.rev, ...a.doc };
  if (a.kind === 'delete-doc') return { _id: a.id, _rev: a.rev, _deleted: true };
  if (a.kind === 'move') return { _id: a.id, _rev: a.old_rev, _deleted: true };
  return undefined;
}

type Move = Extract<Action, { kind: 'move' }>;

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const list = out.get(key(x)) ?? [];
    list.push(x);
    out.set(key(x), list);
  }
  return out;
}

/**
 * Applies a plan: per node, the missing databases (PUT, 412 = already there), then every document
 * change in ONE `_bulk_docs`. Nodes are written concurrently (bounded); a failing node does not stop
 * the others, and the result says which nodes failed and why (partial success).
 *
 * A move is two writes in order: its delete goes in the old node's `_bulk_docs` with everything
 * else; its create is written afterwards (one more `_bulk_docs` on the new node), and only when the
 * delete succeeded — so a direction never has two live `_replicator` docs. A failed delete leaves
 * the create undone and is reported on both nodes.
 */
export async function applyPlan(
  plan: Plan,
  clients: Map<string, CouchClient>,
  concurrency = 8,
): Promise<ApplyResult> {
  const first = groupBy(plan.actions, (a) => (a.kind === 'move' ? a.old_node : a.node));
  const nodes = await mapLimit([...first.entries()], concurrency, ([node, actions]) =>
    applyNode(node, actions, clients.get(node) as CouchClient),
  );
  const moves = plan.actions.filter((a): a is Move => a.kind === 'move');
  if (moves.length) await finishMoves(moves, nodes, clients, concurrency);
  const applied = nodes.reduce((n, r) => n + r.applied, 0);
  const failed = nodes.filter((r) => !r.ok);
  return { ok: failed.length === 0, partial: failed.length > 0 && applied > 0, nodes, applied };
}

/** The second half of the moves: create on the new node where the delete on the old one succeeded. */
async function finishMoves(
  moves: Move[],
  nodes: NodeResult[],
  clients: Map<string, CouchClient>,
  concurrency: number,
): Promise<void> {
  const resultOf = (node: string): NodeResult => {
    let r = nodes.find((x) => x.node === node);
    if (!r) {
      r = { node, ok: true, applied: 0, failures: [], requests: 0 };
      nodes.push(r);
    }
    return r;
  };
  const deleted = (m: Move) => {
    const old = resultOf(m.old_node);
    return !old.error && !old.failures.some((f) => f.id === m.id);
  };
  for (const m of moves.filter((x) => !deleted(x)))
    resultOf(m.node).failures.push({
      id: m.id,
      error: 'move_not_done',
      reason: `not created: its delete on ${m.old_node} failed, so the job there keeps running`,
    });
  const creates = groupBy(
    moves
      .filter(deleted)
      .map((m): Action => ({ kind: 'create-doc', node: m.node, id: m.id, mode: m.mode, doc: m.doc })),
    (a) => a.node,
  );
  const done = await mapLimit([...creates.entries()], concurrency, ([node, actions]) =>
    applyNode(node, actions, clients.get(node) as CouchClient),
  );
  for (const d of done) {
    const r = resultOf(d.node);
    r.applied += d.applied;
    r.requests += d.requests;
    r.failures.push(...d.failures);
    if (d.error && !r.error) r.error = d.error;
  }
  for (const r of nodes) r.ok = !r.error && r.failures.length === 0;
}

async function applyNode(node: string, actions: Action[], client: CouchClient): Promise<NodeResult> {
  const r: NodeResult = { node, ok: true, applied: 0, failures: [], requests: 0 };
  try {
    for (const a of actions) {
      if (a.kind !== 'create-db') continue;
      r.requests++;
      const res = await client.request({ method: 'PUT', path: `/${encodeURIComponent(a.db)}` });
      if (res.status === 201 || res.status === 202 || res.status === 412) r.applied++;
      else
        r.failures.push({ db: a.db, error: String(res.status), reason: `could not create database ${a.db}` });
    }
    const docs = actions.map(docFor).filter((d): d is Record<string, unknown> => d !== undefined);
    if (docs.length) {
      r.requests++;
      const results = await client.post<Array<{ id: string; ok?: boolean; error?: string; reason?: string }>>(
        '/_replicator/_bulk_docs',
        { docs },
      );
      for (const x of results) {
        if (x.ok) r.applied++;
        else r.failures.push({ id: x.id, error: x.error ?? 'error', reason: x.reason ?? '' });
      }
    }
  } catch (e) {
    r.error = {
      code: isCouchError(e) ? e.code : 'E_APPLY',
      message: e instanceof Error ? e.message : String(e),
    };
  }
  r.ok = !r.error && r.failures.length === 0;
  return r;
}
