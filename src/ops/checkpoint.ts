/**
 * `checkpoint show|verify`: both `_local/<replication id>` docs of a direction (source and target),
 * compared as CouchDB's `compare_replication_logs` does when the job restarts.
 */
import { type CheckpointComparison, compareCheckpoints } from '../health/rules-checkpoint.ts';
import type { Finding } from '../health/types.ts';
import { type CheckpointRead, type CheckpointSide, readCheckpoints } from '../observe/checkpoints.ts';
import { integrityFindings } from '../watch/poller.ts';
import type { MeshDeps } from './deps.ts';
import { type DirectionJob, directionJob, needRepId } from './direction-job.ts';
import { type LinkChoice, selectLink, withMesh } from './mesh.ts';

export interface CheckpointOptions extends LinkChoice {
  file?: string;
}

export interface CheckpointView {
  link: string;
  db: string;
  direction: string;
  doc_node: string;
  doc_id: string;
  rep_id: string;
  state: string | null;
  base: string;
  source: SideView;
  target: SideView;
  comparison: CheckpointComparison | null;
  findings: Finding[];
}

export interface SideView {
  node: string;
  path: string;
  present: boolean;
  error?: { code: string; message: string };
  session_id?: string;
  source_last_seq?: string | number;
  history?: number;
  newest?: {
    session_id: string;
    start_last_seq: string | number | null;
    recorded_seq: string | number | null;
    end_time: string | null;
    docs_written: number | null;
    doc_write_failures: number | null;
    missing_checked: number | null;
  };
}

function sideView(s: CheckpointSide, db: string, base: string): SideView {
  const h = s.doc?.history[0];
  return {
    node: s.node,
    path: `${db}/_local/${base}`,
    present: !!s.doc,
    ...(s.error ? { error: s.error } : {}),
    ...(s.doc
      ? {
          session_id: s.doc.session_id,
          source_last_seq: s.doc.source_last_seq,
          history: s.doc.history.length,
          ...(h
            ? {
                newest: {
                  session_id: h.session_id,
                  start_last_seq: h.start_last_seq ?? null,
                  recorded_seq: h.recorded_seq ?? null,
                  end_time: h.end_time ?? null,
                  docs_written: h.docs_written ?? null,
                  doc_write_failures: h.doc_write_failures ?? null,
                  missing_checked: h.missing_checked ?? null,
                },
              }
            : {}),
        }
      : {}),
  };
}

function view(j: DirectionJob, ck: CheckpointRead): CheckpointView {
  return {
    link: j.link,
    db: j.db,
    direction: j.direction,
    doc_node: j.docNode,
    doc_id: j.docId,
    rep_id: ck.repId,
    state: j.state,
    base: ck.base,
    source: sideView(ck.source, j.db, ck.base),
    target: sideView(ck.target, j.db, ck.base),
    comparison: ck.pair ? compareCheckpoints(ck.pair.source, ck.pair.target) : null,
    findings: ck.pair ? integrityFindings([ck.pair]) : [],
  };
}

/** `checkpoint show` / `verify` (data): both `_local` checkpoint docs of each selected direction. */
export async function checkpointShow(opts: CheckpointOptions, deps: MeshDeps): Promise<CheckpointView[]> {
  return withMesh(opts, deps, async (m) => {
    const sel = selectLink(m.links, opts);
    const out: CheckpointView[] = [];
    for (const ref of sel.directions) {
      const j = await directionJob(m, sel.link.link, sel.link.db, ref);
      const repId = needRepId(j);
      const ck = await readCheckpoints(
        { link: j.link, db: j.db, from: j.from, to: j.to, repId },
        m.clients,
        deps.signal,
      );
      out.push(view(j, ck));
    }
    return out;
  });
}
