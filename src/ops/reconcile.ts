/**
 * The reconcile operation: a one-shot pass of a direction (CouchDB `continuous: false`), the way to
 * find whatever the continuous job missed without touching its checkpoints.
 */
import { randomBytes } from 'node:crypto';
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import { seqNumber } from '../couchdb/seq.ts';
import { deleteCheckpointDoc, repIdBase } from '../observe/checkpoints.ts';
import { type DirectionRef, directionKey } from '../observe/links.ts';
import { parseDbInfo, parseSchedulerDoc } from '../observe/parse.ts';
import type { RepStats, SchedulerDoc } from '../observe/types.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { type LinkChoice, type OpenMesh, selectLink, withMesh } from './mesh.ts';
import { oneShotDoc, reconcileDocId } from './reconcile-doc.ts';

export interface ReconcileOptions extends LinkChoice {
  file?: string;
  /** between progress reads (default 500 ms) */
  intervalMs?: number;
  /** give up after (default 30 min) */
  timeoutMs?: number;
}

export interface ReconcileProgress {
  direction: string;
  state: string;
  reason: string | null;
  /** numeric prefix of through_seq (heuristic) vs the source update_seq when the job started */
  through: number | null;
  goal: number | null;
  /** 0..1, from the seq prefixes: a heuristic */
  fraction: number | null;
  docs_written: number | null;
  revisions_checked: number | null;
}

export interface ReconcileResult {
  link: string;
  db: string;
  direction: string;
  doc_node: string;
  doc_id: string;
  rep_id: string | null;
  state: 'completed';
  /** the job's stats as `_scheduler/docs` reported them on completion */
  stats: {
    revisions_checked: number;
    missing_revisions_found: number;
    docs_read: number;
    docs_written: number;
    doc_write_failures: number;
  };
  source_update_seq: string | number;
  /** the one-shot doc and its checkpoints were removed afterwards */
  cleaned: { doc: boolean; checkpoints: boolean };
}

async function getOr404<T>(client: CouchClient, path: string): Promise<T | null> {
  try {
    return await client.get<T>(path);
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return null;
    throw e;
  }
}

const statsOf = (d: SchedulerDoc | null): RepStats | null =>
  d?.info && 'revisions_checked' in d.info ? d.info : null;

/** One direction: the one-shot job on its driving node, followed until `completed`, then removed. */
export async function reconcileDirection(
  m: OpenMesh,
  sel: { link: string; db: string; ref: DirectionRef },
  opts: Pick<ReconcileOptions, 'intervalMs' | 'timeoutMs'> & { docIds?: readonly string[] },
  deps: MeshDeps,
  onProgress: (p: ReconcileProgress) => void,
): Promise<ReconcileResult> {
  const { link, db, ref } = sel;
  const signal = deps.signal;
  const clock = clockOf(deps);
  const client = m.clients.get(ref.docNode) as CouchClient;
  const id = reconcileDocId(m.spec.mesh, db, ref.from, ref.to);
  const path = `/_replicator/${encodeURIComponent(id)}`;
  const sched = `/_scheduler/docs/_replicator/${encodeURIComponent(id)}`;
  const direction = directionKey(ref.from, ref.to);
  // a leftover of an interrupted run: refuse while it runs, replace it when it is over
  const old = await getOr404<Record<string, unknown>>(client, path);
  if (old) {
    const st = await getOr404<{ state: string }>(client, sched);
    if (st && !['completed', 'failed'].includes(st.state))
      throw userError(
        'E_RECONCILE_BUSY',
        `a reconcile of ${direction} (${db}) is already running on ${ref.docNode} (${id}, ${st.state})`,
        `wait for it, or delete _replicator/${id} on ${ref.docNode}`,
      );
    await client.delete(path, { rev: String(old._rev) });
  }
  const srcInfo = parseDbInfo(
    await (m.clients.get(ref.from) as CouchClient).get(`/${encodeURIComponent(db)}`),
  );
  const goal = seqNumber(srcInfo.update_seq);
  const runId = randomBytes(8).toString('hex');
  await client.put(path, oneShotDoc(m, ref, db, runId, opts.docIds));
  let repId: string | null = null;
  let done: SchedulerDoc | null = null;
  const deadline = clock.now() + (opts.timeoutMs ?? 1_800_000);
  const cleaned = { doc: false, checkpoints: false };
  try {
    for (;;) {
      const raw = await getOr404<unknown>(client, sched);
      const d = raw === null ? null : parseSchedulerDoc(raw);
      if (d?.id) repId = d.id;
      const stats = statsOf(d);
      const through = seqNumber(stats?.through_seq ?? stats?.checkpointed_source_seq);
      onProgress({
        direction,
        state: d?.state ?? 'initializing',
        reason: d?.info && 'error' in d.info ? d.info.error : null,
        through,
        goal,
        fraction:
          d?.state === 'completed'
            ? 1
            : through !== null && goal
              ? Math.min(1, through / goal)
              : goal === 0
                ? 1
                : null,
        docs_written: stats?.docs_written ?? null,
        revisions_checked: stats?.revisions_checked ?? null,
      });
      if (d?.state === 'completed') {
        done = d;
        break;
      }
      if (d?.state === 'failed')
        throw userError(
          'E_RECONCILE_FAILED',
          `the one-shot replication ${direction} (${db}) failed: ${d.info && 'error' in d.info ? d.info.error : 'no reason given'}`,
          'see couchmesh doctor for the link',
        );
      if (clock.now() > deadline)
        throw userError(
          'E_RECONCILE_TIMEOUT',
          `the one-shot replication ${direction} (${db}) did not complete in time (state ${d?.state ?? '?'})`,
          'see couchmesh doctor for the link; raise --timeout for a big database',
        );
      await clock.sleep(opts.intervalMs ?? 500, signal);
    }
  } finally {
    // the one-shot doc never stays behind, whatever happened
    const cur = await getOr404<{ _rev: string }>(client, path).catch(() => null);
    if (cur)
      cleaned.doc = await client.delete(path, { rev: cur._rev }).then(
        () => true,
        () => false,
      );
  }
  // its own checkpoints are of no further use (the next reconcile is a new full pass)
  if (repId) {
    const base = repIdBase(repId);
    const r = await Promise.allSettled([
      deleteCheckpointDoc(m.clients.get(ref.from) as CouchClient, db, base),
      deleteCheckpointDoc(m.clients.get(ref.to) as CouchClient, db, base),
    ]);
    cleaned.checkpoints = r.every((x) => x.status === 'fulfilled');
  }
  const s = statsOf(done);
  return {
    link,
    db,
    direction,
    doc_node: ref.docNode,
    doc_id: id,
    rep_id: repId,
    state: 'completed',
    stats: {
      revisions_checked: s?.revisions_checked ?? 0,
      missing_revisions_found: s?.missing_revisions_found ?? 0,
      docs_read: s?.docs_read ?? 0,
      docs_written: s?.docs_written ?? 0,
      doc_write_failures: s?.doc_write_failures ?? 0,
    },
    source_update_seq: srcInfo.update_seq,
    cleaned,
  };
}

/**
 * `reconcile` (data): per selected direction (one after the other), a one-shot `continuous: false`
 * job on the direction's driving node, followed until `completed`, its stats, then its document
 * removed. Aborting `deps.signal` removes the document too.
 */
export async function reconcileOperation(
  opts: ReconcileOptions,
  deps: MeshDeps,
  onProgress: (p: ReconcileProgress) => void = () => {},
): Promise<ReconcileResult[]> {
  return withMesh(opts, deps, async (m) => {
    const sel = selectLink(m.links, opts);
    const out: ReconcileResult[] = [];
    for (const ref of sel.directions)
      out.push(
        await reconcileDirection(m, { link: sel.link.link, db: sel.link.db, ref }, opts, deps, onProgress),
      );
    return out;
  });
}
