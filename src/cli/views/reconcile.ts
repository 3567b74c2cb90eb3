/** Human view of a reconcile: a progress bar per direction, then its stats. */
import { repIdBase } from '../../observe/checkpoints.ts';
import type { ReconcileProgress, ReconcileResult } from '../../ops/reconcile.ts';

export function progressBar(p: ReconcileProgress, width = 30): string {
  const f = p.fraction ?? 0;
  const filled = Math.round(f * width);
  const pct = p.fraction === null ? ' ?%' : `${String(Math.round(f * 100)).padStart(3)}%`;
  return `${p.direction} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${p.state}${
    p.through !== null && p.goal !== null ? ` ~${p.through}/${p.goal}` : ''
  }${p.docs_written !== null ? `, ${p.docs_written} written` : ''}${p.reason ? ` — ${p.reason}` : ''}`;
}

export function renderReconcile(r: ReconcileResult): string {
  const s = r.stats;
  return [
    `${r.direction} (${r.db}): completed — ${s.docs_written} docs written, ${s.missing_revisions_found} missing revisions found of ${s.revisions_checked} checked, ${s.docs_read} read, ${s.doc_write_failures} write failures`,
    `  one-shot job ${r.doc_id} on ${r.doc_node}: ${r.cleaned.doc ? 'removed' : 'NOT removed'}${r.rep_id ? `, its checkpoints _local/${repIdBase(r.rep_id)} ${r.cleaned.checkpoints ? 'removed' : 'left'}` : ''}`,
  ].join('\n');
}
