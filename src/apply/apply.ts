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

function docFor(a: Action): Record<string, unknown> | undefined {
  if (a.kind === 'create-doc') return { _id: a.id, ...a.doc };
  if (a.kind === 'update-doc') return { _id: a.id, _rev: a.rev, ...a.doc };
  if (a.kind === 'delete-doc') return { _id: a.id, _rev: a.rev, _deleted: true };
  return undefined;
}

/**
 * Applies a plan: per node, the missing databases (PUT, 412 = already there), then every document
 * change in ONE `_bulk_docs`. Nodes are written concurrently (bounded); a failing node does not stop
 * the others, and the result says which nodes failed and why (partial success).
 */
export async function applyPlan(
  plan: Plan,
  clients: Map<string, CouchClient>,
  concurrency = 8,
): Promise<ApplyResult> {
  const byNode = new Map<string, Action[]>();
  for (const a of plan.actions) {
    const list = byNode.get(a.node) ?? [];
    list.push(a);
    byNode.set(a.node, list);
  }
  const nodes = await mapLimit([...byNode.entries()], concurrency, ([node, actions]) =>
    applyNode(node, actions, clients.get(node) as CouchClient),
  );
  const applied = nodes.reduce((n, r) => n + r.applied, 0);
  const failed = nodes.filter((r) => !r.ok);
  return { ok: failed.length === 0, partial: failed.length > 0 && applied > 0, nodes, applied };
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
