/**
 * The second half of a plan's moves: create the doc on the direction's new driving node, only once
 * its delete on the old node succeeded AND the old node's scheduler dropped the job. CouchDB stops
 * the job of a deleted `_replicator` doc asynchronously (couch_replicator_doc_processor acts on the
 * deletion when `_replicator`'s changes feed delivers it), so creating on the acknowledgement of the
 * delete could leave both nodes running the direction for a moment.
 */
import type { CouchClient } from '../couch/client.ts';
import { mapLimit } from '../plan/observe.ts';
import type { Action } from '../plan/types.ts';
import { applyNode, groupBy, type NodeResult } from './write-node.ts';

type Move = Extract<Action, { kind: 'move' }>;

/** Progress of an apply, reported as it happens (a front end renders it). */
export type ApplyEvent =
  /** `node` deleted the moved doc `id`; the create on `to` waits until `node`'s scheduler drops the job */
  { type: 'waiting-for-stop'; node: string; id: string; to: string };

export interface MoveOptions {
  /**
   * Resolves once `node`'s scheduler no longer runs the job of the deleted doc `id`: null when it
   * stopped, else why not (the create is then withheld). Without it the create follows the delete.
   */
  awaitStop?: (node: string, id: string) => Promise<string | null>;
  onEvent?: (e: ApplyEvent) => void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function finishMoves(
  moves: Move[],
  nodes: NodeResult[],
  clients: Map<string, CouchClient>,
  concurrency: number,
  opts: MoveOptions,
): Promise<void> {
  const resultOf = (node: string): NodeResult => {
    let r = nodes.find((x) => x.node === node);
    if (!r) {
      r = { node, ok: true, applied: 0, failures: [], requests: 0 };
      nodes.push(r);
    }
    return r;
  };
  const notDone = (m: Move, reason: string) =>
    resultOf(m.node).failures.push({ id: m.id, error: 'move_not_done', reason: `not created: ${reason}` });
  const deleted = (m: Move) => {
    const old = resultOf(m.old_node);
    return !old.error && !old.failures.some((f) => f.id === m.id);
  };
  for (const m of moves.filter((x) => !deleted(x)))
    notDone(m, `its delete on ${m.old_node} failed, so the job there keeps running`);
  const stopped = new Set<Move>();
  await mapLimit(moves.filter(deleted), concurrency, async (m) => {
    if (!opts.awaitStop) return void stopped.add(m);
    opts.onEvent?.({ type: 'waiting-for-stop', node: m.old_node, id: m.id, to: m.node });
    const why = await opts
      .awaitStop(m.old_node, m.id)
      .catch((e: unknown) => `could not read the scheduler of ${m.old_node} (${message(e)})`);
    if (why === null) stopped.add(m);
    else
      notDone(
        m,
        `${why}; its document there is deleted. Run apply again once ${m.old_node}'s _scheduler/docs no longer lists ${m.id}`,
      );
  });
  const creates = groupBy(
    moves
      .filter((m) => stopped.has(m))
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
