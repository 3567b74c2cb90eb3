/**
 * plan's re-scan warnings. CouchDB's replication id (couch_replicator_ids, ?REP_ID_VERSION 4) hashes
 * each endpoint's user, host, non-default port, path and non-auth headers (not the password, not
 * `source_proxy`/`target_proxy`). An update that changes any of them gives the job a new id: its
 * checkpoints (`_local/<id>`) are not found, and the direction re-reads the source's `_changes` from
 * seq 0 (`_revs_diff` keeps it from copying documents again, but every change is walked). Re-pointing
 * a cluster node at another member did exactly that to 12 directions at once (cluster-samples/82).
 */
import { redactString } from './redact.ts';
import type { Action, Endpoint, ManagedReplication, ObservedNode, RescanWarning } from './types.ts';

export type { RescanWarning };

export const RESCAN_HINT =
  "keep a node's url stable: give a cluster a load balancer or virtual IP as `url` and list its members under `members:` (couchmesh's own requests fail over between them), or route through the relay's proxy (source_proxy/target_proxy are not part of CouchDB's replication id, couch_replicator_ids)";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of an endpoint in CouchDB's replication id: url (without a trailing slash) and user. */
function idParts(e: unknown): { url?: string; user?: string } {
  if (typeof e === 'string') return { url: e.replace(/\/+$/, '') };
  if (!isObject(e)) return {};
  const basic = isObject(e.auth) && isObject(e.auth.basic) ? e.auth.basic : undefined;
  return {
    ...(typeof e.url === 'string' ? { url: e.url.replace(/\/+$/, '') } : {}),
    ...(typeof basic?.username === 'string' ? { user: basic.username } : {}),
  };
}

function endpointChanges(side: 'source' | 'target', was: unknown, want: Endpoint): RescanWarning['changes'] {
  const a = idParts(was);
  const b = idParts(want);
  const out: RescanWarning['changes'] = [];
  if (a.url !== b.url)
    out.push({
      field: `${side}.url`,
      ...(a.url !== undefined ? { from: redactString(a.url) } : {}),
      ...(b.url !== undefined ? { to: redactString(b.url) } : {}),
    });
  if (a.user !== b.user)
    out.push({
      field: `${side}.auth.basic.username`,
      ...(a.user !== undefined ? { from: a.user } : {}),
      ...(b.user !== undefined ? { to: b.user } : {}),
    });
  return out;
}

/**
 * One warning per update whose endpoints change the replication id (pure). `docCount(node, db)`
 * gives the source database's size when it was read.
 */
export function rescanWarnings(
  actions: readonly Action[],
  observed: readonly ObservedNode[],
  docCount: (node: string, db: string) => number | undefined = () => undefined,
): RescanWarning[] {
  const out: RescanWarning[] = [];
  for (const a of actions) {
    if (a.kind !== 'update-doc') continue;
    const body = observed.find((o) => o.node === a.node)?.replicator.find((d) => d.id === a.id)?.body;
    if (!body) continue;
    const want: ManagedReplication = a.doc;
    const changes = [
      ...endpointChanges('source', body.source, want.source),
      ...endpointChanges('target', body.target, want.target),
    ];
    if (changes.length === 0) continue;
    const { db, from, to } = want.couchmesh;
    const docs = docCount(from, db);
    const cost =
      docs === undefined
        ? `the whole of ${db} on ${from}`
        : `${docs} doc${docs === 1 ? '' : 's'} in ${db} on ${from}`;
    const what = changes.map((c) => `${c.field} ${c.from ?? '(absent)'} -> ${c.to ?? '(absent)'}`).join(', ');
    out.push({
      code: 'W_PLAN_RESCAN',
      node: a.node,
      id: a.id,
      db,
      from,
      to,
      changes,
      ...(docs !== undefined ? { docs } : {}),
      message: `${from}->${to} (${db}) re-scans from 0: ${cost} (${what} gives the job a new replication id, so its checkpoints are not found)`,
      hint: RESCAN_HINT,
    });
  }
  return out;
}
