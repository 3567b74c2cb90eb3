/** The one-shot `_replicator` document a reconcile runs (never managed: plan/apply never touch it). */
import { userError } from '../core/errors.ts';
import type { DirectionRef } from '../observe/links.ts';
import { desiredState } from '../plan/desired.ts';
import type { OpenMesh } from './mesh.ts';

/** `couchmesh-reconcile.<mesh>.<db>.<from>--<to>`: no ownership marker, so plan/apply never touch it. */
export const reconcileDocId = (mesh: string, db: string, from: string, to: string) =>
  `couchmesh-reconcile.${mesh}.${db}.${from}--${to}`;

/**
 * The one-shot document: the direction's own definition with `continuous: false`, plus a per-run
 * endpoint header. Headers are part of CouchDB's replication id (v4), so the one-shot job has its
 * own checkpoints: it never shares (or fights over) the continuous job's `_local` docs, and starts
 * from 0 — a full single pass that finds whatever the target misses.
 */
export function oneShotDoc(
  m: OpenMesh,
  ref: DirectionRef,
  db: string,
  runId: string,
  docIds?: readonly string[],
): Record<string, unknown> {
  const desired = desiredState(m.spec, m.passwordOf).docs.find((d) => d.id === ref.docId);
  if (!desired) throw userError('E_NO_SUCH_DIRECTION', `no replication ${ref.docId} in this mesh`);
  const { couchmesh, ...fields } = desired.body;
  return {
    ...fields,
    source: { ...fields.source, headers: { 'x-couchmesh-reconcile': runId } },
    continuous: false,
    create_target: false,
    // verify --repair: exactly the differing documents (CouchDB's doc_ids, part of the replication id)
    ...(docIds ? { doc_ids: [...docIds] } : {}),
    couchmesh_reconcile: {
      mesh: couchmesh.mesh,
      link: couchmesh.link,
      db,
      from: ref.from,
      to: ref.to,
      run: runId,
    },
  };
}
