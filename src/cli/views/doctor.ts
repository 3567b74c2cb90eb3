/** Human view of a doctor report: evidence, checkpoints, findings and numbered next steps per direction. */
import { dur, iso } from '../../health/finding.ts';
import type { CheckpointSummary, DoctorReport } from '../../ops/doctor.ts';
import { findingLine, type Paint, severityColour, stateColour } from './paint.ts';

/** Whose couch.log holds the lines: on a cluster, the member running the job (and any other it names). */
function logOwner(d: DoctorReport['directions'][number]): string {
  const node = d.doc_node ?? 'the node';
  const others = d.other_members?.length ? d.other_members.join(', ') : '';
  if (!d.member) return others ? `${node} member ${others}` : node;
  return `${node} member ${d.member}${others ? ` and of ${others}` : ''}`;
}

export function renderDoctor(r: DoctorReport, p: Paint): string {
  const lines: string[] = [];
  lines.push(
    p.bold(
      `couchmesh doctor — mesh ${r.mesh} at ${iso(Date.parse(r.at))} (${r.polls} polls, ${r.requests} requests)`,
    ),
  );
  for (const n of r.notes ?? [])
    lines.push(
      p.yellow(`${n.node}: ${n.read} not read (${n.code}: ${n.message}); the diagnosis lacks its data`),
    );
  if (r.node_findings.length) {
    lines.push('', p.bold('nodes:'));
    for (const f of r.node_findings) {
      lines.push(`  ${findingLine(f, p)}`);
      lines.push(`    next: ${f.playbook}`);
    }
  }
  for (const d of r.directions) {
    lines.push('');
    const head = `${d.link} ${d.direction} (${d.db}): ${stateColour(p, d.state)(d.state)}${d.reason ? ` — ${d.reason}` : ''}`;
    lines.push(p.bold(head));
    const member = d.member ? ` (cluster member ${d.member})` : '';
    lines.push(
      p.grey(`  doc ${d.doc_id} on ${d.doc_node ?? '?'}${member}; replication id ${d.rep_id ?? '(none)'}`),
    );
    const e = d.evidence;
    const ev = [
      `checkpointed_source_seq ${e.checkpointed_source_seq ?? '?'}`,
      `through_seq ${e.through_seq ?? '?'}`,
      `source update_seq ${e.source_seq ?? '?'}`,
      `lag ~${e.lag_estimate ?? '?'} (seq prefix, heuristic)`,
      `changes_pending ${e.changes_pending ?? '?'}`,
      `revisions_checked ${e.revisions_checked ?? '?'}`,
      `docs_written ${e.docs_written ?? '?'}`,
      `doc_write_failures ${e.doc_write_failures ?? '?'}`,
      `error_count ${e.error_count}`,
    ];
    lines.push(`  evidence: ${ev.join(', ')}`);
    if (d.checkpoints) {
      const c = d.checkpoints;
      const side = (n: string, s: CheckpointSummary | null) =>
        s
          ? `${n}: session ${s.session_id.slice(0, 8)}… seq ${String(s.source_last_seq).split('-')[0]} (${s.history} history, written ${s.last_written ?? '?'})`
          : `${n}: none`;
      lines.push(
        `  checkpoints (${c.outcome ?? 'unread'}): ${side('source', c.source)}; ${side('target', c.target)}`,
      );
      for (const err of c.errors) lines.push(`    ${p.yellow(err)}`);
    }
    if (d.findings.length === 0) lines.push(`  ${p.green('no findings')}`);
    for (const f of d.findings) {
      lines.push(`  ${severityColour(p, f.severity)(f.severity.toUpperCase())} ${f.rule}: ${f.message}`);
      const ev2 = Object.entries(f.evidence)
        .filter(([, v]) => v !== null)
        .map(
          ([k, v]) =>
            `${k}=${typeof v === 'number' && /Ms$/.test(k) ? dur(v) : typeof v === 'number' && /At$/.test(k) ? iso(v) : v}`,
        )
        .join(' ');
      lines.push(p.grey(`    evidence: ${ev2}`));
    }
    if (d.next_steps.length) {
      lines.push('  next steps:');
      d.next_steps.forEach((s, i) => {
        lines.push(`    ${i + 1}. ${s}`);
      });
    }
    if (d.log) {
      if (d.log.error) lines.push(`  log ${d.log.file}: ${p.yellow(d.log.error)}`);
      else {
        lines.push(
          `  log ${d.log.file}: ${d.log.total} line(s) mention ${d.log.terms.join(' or ')}${d.log.total > d.log.lines.length ? ` (last ${d.log.lines.length})` : ''}`,
        );
        for (const l of d.log.lines) lines.push(`    ${l}`);
      }
    } else if (d.log_grep && !d.healthy)
      lines.push(p.grey(`  in the CouchDB log of ${logOwner(d)} (couch_replicator entries): ${d.log_grep}`));
  }
  if (r.security.length) {
    lines.push('', p.bold('Security:'));
    for (const f of r.security) {
      const where = [f.node, f.link, f.db].filter(Boolean).join(' ');
      lines.push(
        `  ${severityColour(p, f.severity)(f.severity.toUpperCase())} ${f.rule}${where ? ` (${where})` : ''}: ${f.message}`,
      );
      const ev = Object.entries(f.evidence)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      if (ev) lines.push(p.grey(`    evidence: ${ev}`));
      lines.push(`    fix: ${f.fix}`);
    }
  } else lines.push('', p.green('Security: no findings'));
  lines.push('');
  if (r.healthy_directions) lines.push(p.green(`${r.healthy_directions} other direction(s) healthy`));
  lines.push(r.healthy ? p.green('healthy: nothing to do') : p.yellow('problems found (exit code 2)'));
  return lines.join('\n');
}
