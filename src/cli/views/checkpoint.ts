/** Human view of `checkpoint show|verify` and of a reset. */

import type { CheckpointComparison } from '../../health/rules-checkpoint.ts';
import type { CheckpointView } from '../../ops/checkpoint.ts';
import type { ResetResult } from '../../ops/checkpoint-reset.ts';
import { findingLine, type Paint } from './paint.ts';

function describeComparison(c: CheckpointComparison | null): string {
  if (!c) return 'not compared (a side could not be read)';
  switch (c.outcome) {
    case 'same-session':
      return `consistent: same session on both sides, a restart resumes from ${String(c.resumeSeq).split('-')[0]}`;
    case 'same-session-diverged':
      return 'same session but different source_last_seq on the two sides';
    case 'common-history':
      return `different sessions; a restart rewinds to shared session ${c.sessionId.slice(0, 8)}… at ${String(c.resumeSeq).split('-')[0]}`;
    case 'no-common-ancestry':
      return 'no session in common: a restart re-scans from 0';
    case 'missing':
      return c.missing === 'both'
        ? 'no checkpoint on either side (new job, reset, or nothing replicated yet)'
        : `the ${c.missing} checkpoint is MISSING: a restart re-scans from 0`;
  }
}

export function renderCheckpoints(list: CheckpointView[], p: Paint, verify: boolean): string {
  const lines: string[] = [];
  for (const v of list) {
    lines.push(
      p.bold(
        `${v.link} ${v.direction} (${v.db}): replication ${v.rep_id} (${v.state ?? '?'}) on ${v.doc_node}`,
      ),
    );
    for (const [label, s] of [
      ['source', v.source],
      ['target', v.target],
    ] as const) {
      if (s.error)
        lines.push(`  ${label} ${s.node} ${s.path}: ${p.yellow(`${s.error.code}: ${s.error.message}`)}`);
      else if (!s.present) lines.push(`  ${label} ${s.node} ${s.path}: ${p.red('none')}`);
      else {
        lines.push(
          `  ${label} ${s.node} ${s.path}: session ${s.session_id}, source_last_seq ${String(s.source_last_seq).split('-')[0]}, ${s.history} history entr${s.history === 1 ? 'y' : 'ies'}`,
        );
        if (s.newest)
          lines.push(
            p.grey(
              `    newest: ${String(s.newest.start_last_seq ?? '?').split('-')[0]} -> ${String(s.newest.recorded_seq ?? '?').split('-')[0]}, written ${s.newest.end_time ?? '?'}, docs_written ${s.newest.docs_written ?? '?'}, doc_write_failures ${s.newest.doc_write_failures ?? '?'}, missing_checked ${s.newest.missing_checked ?? '?'}`,
            ),
          );
      }
    }
    lines.push(`  ${verify ? 'verify' : 'state'}: ${describeComparison(v.comparison)}`);
    if (verify) for (const f of v.findings) lines.push(`  ${findingLine(f, p)}`, `    next: ${f.playbook}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

export function resetLine(x: ResetResult): string {
  const [from, to] = x.direction.split('->');
  return `${x.direction} (${x.db}): job stopped, _local/${x.base} deleted on ${from} (${x.deleted.source ? 'deleted' : 'was absent'}) and ${to} (${x.deleted.target ? 'deleted' : 'was absent'}), ${x.doc_id} recreated on ${x.doc_node}: re-scanning from 0`;
}
