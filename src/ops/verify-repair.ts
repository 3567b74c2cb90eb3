/**
 * `verify --repair`: per divergent pair, a one-shot replication of exactly the differing `doc_ids`
 * in each direction the mesh declares for that link — never another — driven as the mesh drives it:
 * reconcile's one-shot doc (reconcile-doc.ts) is the planner's desired doc of the direction (same
 * node, endpoints, credentials), `continuous: false`, plus `doc_ids`. CouchDB's replicator then
 * sends only the revisions the target misses (`_revs_diff`), conflicts and tombstones included.
 */
import { isCouchmeshError } from '../core/errors.ts';
import { directionKey } from '../observe/links.ts';
import type { DbVerifyResult, PairResult } from '../verify/database.ts';
import type { MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';
import { reconcileDirection } from './reconcile.ts';

/** ids per one-shot job: bounds the `_replicator` document's size */
export const REPAIR_BATCH = 2_000;

export interface RepairRun {
  db: string;
  link: string;
  /** `from->to` (`a--b` for a pair the mesh does not link: skipped) */
  direction: string;
  /** the node whose `_replicator` ran the one-shot job */
  doc_node: string | null;
  /** ids asked for */
  docs: number;
  state: 'completed' | 'failed' | 'skipped';
  jobs: number;
  docs_written: number;
  doc_write_failures: number;
  reason?: string;
  error?: { code: string; message: string };
}

export interface RepairEvent {
  kind: 'repair';
  db: string;
  direction: string;
  state: string;
  docs: number;
  docs_written: number | null;
}

/**
 * CouchDB's replicator percent-decodes `doc_ids` (`couch_replicator_parse`: "percent-encoded ids
 * are accepted"), so an id holding `%` is sent with it encoded.
 */
export const docIdParam = (id: string) => id.replaceAll('%', '%25');

export async function repairDivergence(
  m: OpenMesh,
  results: readonly DbVerifyResult[],
  opts: { intervalMs?: number; timeoutMs?: number },
  deps: MeshDeps,
  onEvent: (e: RepairEvent) => void,
): Promise<RepairRun[]> {
  const runs: RepairRun[] = [];
  for (const r of results)
    for (const p of r.pairs) {
      if (p.state !== 'divergent' || !p.repair) continue;
      const link = m.links.find((l) => l.db === r.db && sameEnds(l.directions[0], p));
      if (!link) {
        const pair = `${p.a}--${p.b}`;
        runs.push(skipped(r.db, pair, pair, p, 'no link between them in the mesh'));
        continue;
      }
      for (const ref of link.directions) {
        const ids = ref.from === p.a ? p.repair.aToB : p.repair.bToA;
        const direction = directionKey(ref.from, ref.to);
        if (!ids.length) continue;
        if (r.nodes.find((n) => n.node === ref.to)?.state === 'no-db') {
          runs.push({
            ...skipped(
              r.db,
              link.link,
              direction,
              p,
              `database ${r.db} missing on ${ref.to}: run couchmesh apply`,
            ),
            docs: ids.length,
          });
          continue;
        }
        const run: RepairRun = {
          db: r.db,
          link: link.link,
          direction,
          doc_node: ref.docNode,
          docs: ids.length,
          state: 'completed',
          jobs: 0,
          docs_written: 0,
          doc_write_failures: 0,
        };
        runs.push(run);
        for (let i = 0; i < ids.length && run.state === 'completed'; i += REPAIR_BATCH) {
          const batch = ids.slice(i, i + REPAIR_BATCH).map(docIdParam);
          try {
            const res = await reconcileDirection(
              m,
              { link: link.link, db: r.db, ref },
              {
                intervalMs: opts.intervalMs ?? 250,
                ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
                docIds: batch,
              },
              deps,
              (pr) =>
                onEvent({
                  kind: 'repair',
                  db: r.db,
                  direction,
                  state: pr.state,
                  docs: ids.length,
                  docs_written: run.docs_written + (pr.docs_written ?? 0),
                }),
            );
            run.jobs++;
            run.docs_written += res.stats.docs_written;
            run.doc_write_failures += res.stats.doc_write_failures;
          } catch (e) {
            // a failed or refused job is reported with the others; a bug still propagates
            if (!isCouchmeshError(e) || e.kind !== 'user') throw e;
            run.state = 'failed';
            run.error = { code: e.code, message: e.message };
          }
        }
      }
    }
  return runs;
}

const sameEnds = (d: { from: string; to: string }, p: PairResult) =>
  (d.from === p.a && d.to === p.b) || (d.from === p.b && d.to === p.a);

function skipped(db: string, link: string, direction: string, p: PairResult, reason: string): RepairRun {
  const docs = new Set([...(p.repair?.aToB ?? []), ...(p.repair?.bToA ?? [])]).size;
  return {
    db,
    link,
    direction,
    doc_node: null,
    docs,
    state: 'skipped',
    jobs: 0,
    docs_written: 0,
    doc_write_failures: 0,
    reason,
  };
}
