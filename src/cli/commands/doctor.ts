import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { userError } from '../../core/errors.ts';
import { seqText } from '../../couchdb/seq.ts';
import { dur, iso } from '../../health/finding.ts';
import { reasonHint } from '../../health/playbook.ts';
import type { Finding } from '../../health/types.ts';
import { type CheckpointRead, readCheckpoints, repIdBase } from '../../observe/checkpoints.ts';
import { directionKey, type MeshLink } from '../../observe/links.ts';
import { selectLink } from '../../observe/mesh.ts';
import type { DirectionState } from '../../observe/snapshot.ts';
import { mapLimit } from '../../plan/observe.ts';
import type { Output } from '../boundary.ts';
import {
  type CliTelemetryDeps,
  exitWith,
  findingLine,
  newPoller,
  type Paint,
  paint,
  severityColour,
  stateColour,
  withMesh,
} from './status.ts';

export interface DoctorFlags {
  file?: string;
  /** `a--b`; all links when absent */
  link?: string;
  db?: string;
  direction?: string;
  /** a CouchDB log file to grep for the replication's lines */
  log?: string;
  /** polls taken (default 2: rules over counters need two points) */
  samples?: number;
  /** ms between the polls (default 1000) */
  intervalMs?: number;
  json?: boolean;
}

export interface LogMatches {
  file: string;
  /** what was searched for: the replication id base and the doc id */
  terms: string[];
  /** matching lines seen (all), and the last ones shown */
  total: number;
  lines: string[];
  error?: string;
}

export interface DirectionDiagnosis {
  link: string;
  db: string;
  direction: string;
  doc_node: string | null;
  doc_id: string;
  rep_id: string | null;
  state: string;
  reason: string | null;
  healthy: boolean;
  evidence: Record<string, unknown>;
  checkpoints: {
    outcome: string | null;
    source: CheckpointSummary | null;
    target: CheckpointSummary | null;
    errors: string[];
  } | null;
  findings: Finding[];
  next_steps: string[];
  /** what to grep for in the CouchDB log (couch_replicator entries) */
  log_grep: string | null;
  log?: LogMatches;
}

export interface CheckpointSummary {
  session_id: string;
  source_last_seq: string | number;
  history: number;
  last_written: string | null;
}

export interface DoctorReport {
  mesh: string;
  at: string;
  polls: number;
  healthy: boolean;
  node_findings: Finding[];
  directions: DirectionDiagnosis[];
  /** directions not shown because nothing is wrong with them (no LINK given) */
  healthy_directions: number;
  requests: number;
}

const summary = (s: CheckpointRead['source']): CheckpointSummary | null =>
  s.doc
    ? {
        session_id: s.doc.session_id,
        source_last_seq: s.doc.source_last_seq,
        history: s.doc.history.length,
        last_written: s.doc.history[0]?.end_time ?? null,
      }
    : null;

/** Lines of `file` containing any of `terms` (streamed: logs can be large); the last `keep` kept. */
export async function grepLog(file: string, terms: string[], keep = 20): Promise<LogMatches> {
  const out: LogMatches = { file, terms, total: 0, lines: [] };
  try {
    const rl = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of rl) {
      if (!terms.some((t) => line.includes(t))) continue;
      out.total++;
      out.lines.push(line);
      if (out.lines.length > keep) out.lines.shift();
    }
  } catch (e) {
    out.error = `${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message}`;
  }
  return out;
}

function evidenceOf(d: DirectionState): Record<string, unknown> {
  return {
    observed: d.observed,
    confidence: d.confidence,
    error_count: d.errorCount,
    last_crash_at: d.lastCrashAt === null ? null : new Date(d.lastCrashAt).toISOString(),
    next_retry_at: d.nextRetryAt === null ? null : new Date(d.nextRetryAt).toISOString(),
    crashes_in_history: d.crashes.length,
    checkpointed_source_seq: seqText(d.checkpointedSeq),
    through_seq: seqText(d.throughSeq),
    source_seq: seqText(d.sourceSeq),
    source_seq_from: d.sourceSeqOrigin,
    lag_estimate: d.lagEstimate,
    lag_heuristic: true,
    changes_pending: d.changesPending,
    revisions_checked: d.revisionsChecked,
    missing_revisions_found: d.missingFound,
    docs_read: d.docsRead,
    docs_written: d.docsWritten,
    doc_write_failures: d.docWriteFailures,
    checkpoint_interval_ms: d.checkpointIntervalMs,
  };
}

function nextSteps(d: DirectionState, findings: Finding[], ck: CheckpointRead | undefined): string[] {
  const steps: string[] = [];
  const add = (s: string | null) => {
    if (s && !steps.includes(s)) steps.push(s);
  };
  const RANK = { critical: 0, warning: 1, info: 2 } as const;
  const problems = findings
    .filter((f) => f.severity !== 'info')
    .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  // crash rules already lead their playbook with the reason's own hint (health/playbook.ts reasonHint)
  for (const f of problems) add(f.playbook);
  if (d.state === 'crashing' && !problems.some((f) => f.rule === 'crashing')) add(reasonHint(d.reason));
  if (ck?.pair && problems.some((f) => f.rule === 'checkpoint-integrity' || f.rule === 'seq-regression'))
    add(
      `couchmesh checkpoint reset ${d.link} --db ${d.db} --direction ${d.direction} (deletes _local/${ck.base} on ${d.from} and ${d.to}, recreates the job), then couchmesh reconcile ${d.link} --db ${d.db} --direction ${d.direction}`,
    );
  if (problems.some((f) => f.rule === 'lag' || f.rule === 'stalled'))
    add(`couchmesh reconcile ${d.link} --db ${d.db} --direction ${d.direction} (a one-shot pass)`);
  return steps;
}

/** `couchmesh doctor` (data): a few polls with the slow reads every time, checkpoints, diagnosis. */
export async function doctorCommand(
  flags: DoctorFlags,
  deps: CliTelemetryDeps,
  output: Output | null = null,
) {
  return withMesh(flags, deps, output, async (m) => {
    const selected: Array<{ link: MeshLink; dirs: MeshLink['directions'][number][] }> = flags.link
      ? (() => {
          const s = selectLink(m.links, flags.link as string, flags);
          return [{ link: s.link, dirs: s.directions }];
        })()
      : m.links.map((l) => ({ link: l, dirs: [...l.directions] }));
    const poller = newPoller(m, deps, { slowIntervalMs: 0 });
    const samples = Math.max(1, flags.samples ?? 2);
    let requests = 0;
    let r = await poller.pollOnce(deps.signal);
    requests += r.requests.total;
    for (let i = 1; i < samples; i++) {
      await poller.clock.sleep(flags.intervalMs ?? 1000, deps.signal);
      r = await poller.pollOnce(deps.signal);
      requests += r.requests.total;
    }
    const views = new Map(
      r.views.flatMap((v) => v.directions.map((d) => [`${v.link}|${v.db}|${d.direction}`, d])),
    );
    const wanted = selected.flatMap(({ link, dirs }) =>
      dirs.map(
        (ref) => views.get(`${link.link}|${link.db}|${directionKey(ref.from, ref.to)}`) as DirectionState,
      ),
    );
    // checkpoints of every selected direction that has a replication id (2 requests each)
    const reads = new Map<string, CheckpointRead>();
    await mapLimit(
      wanted.filter((d) => d.repId),
      8,
      async (d) => {
        const ck = await readCheckpoints(
          { link: d.link, db: d.db, from: d.from, to: d.to, repId: d.repId as string },
          m.clients,
          deps.signal,
        );
        requests += 2;
        reads.set(`${d.link}|${d.db}|${d.direction}`, ck);
      },
    );
    poller.addCheckpoints([...reads.values()].flatMap((c) => (c.pair ? [c.pair] : [])));
    const findings = poller.evaluate();
    const involved = new Set(wanted.flatMap((d) => [d.from, d.to, d.docNode ?? '']));
    const nodeFindings = findings.filter((f) => f.node !== null && (!flags.link || involved.has(f.node)));
    const diagnoses: DirectionDiagnosis[] = [];
    let healthyCount = 0;
    for (const d of wanted) {
      const key = `${d.link}|${d.db}|${d.direction}`;
      const mine = findings.filter((f) => f.link === d.link && f.db === d.db && f.direction === d.direction);
      const ck = reads.get(key);
      const problems = mine.filter((f) => f.severity !== 'info');
      const healthy = problems.length === 0 && (d.state === 'running' || d.state === 'completed');
      if (!flags.link && healthy && mine.length === 0) {
        healthyCount++;
        continue;
      }
      const base = d.repId ? repIdBase(d.repId) : null;
      const terms = [base, d.docId].filter((t): t is string => !!t);
      const dx: DirectionDiagnosis = {
        link: d.link,
        db: d.db,
        direction: d.direction,
        doc_node: d.docNode,
        doc_id: d.docId,
        rep_id: d.repId,
        state: d.state,
        reason: d.reason,
        healthy,
        evidence: evidenceOf(d),
        checkpoints: ck
          ? {
              outcome:
                mine.find((f) => f.rule === 'checkpoint-integrity')?.evidence.outcome?.toString() ??
                (ck.pair ? 'same-session' : null),
              source: summary(ck.source),
              target: summary(ck.target),
              errors: [ck.source.error, ck.target.error]
                .filter(Boolean)
                .map((e) => `${e?.code}: ${e?.message}`),
            }
          : null,
        findings: mine,
        next_steps: nextSteps(d, mine, ck),
        log_grep: terms.length
          ? `grep couch_replicator couch.log | grep -E '${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}'`
          : null,
      };
      if (flags.log && terms.length) dx.log = await grepLog(flags.log, terms);
      diagnoses.push(dx);
    }
    const report: DoctorReport = {
      mesh: m.spec.mesh,
      at: new Date(r.at).toISOString(),
      polls: samples,
      healthy: nodeFindings.every((f) => f.severity === 'info') && diagnoses.every((x) => x.healthy),
      node_findings: nodeFindings,
      directions: diagnoses,
      healthy_directions: healthyCount,
      requests,
    };
    return report;
  });
}

export function renderDoctor(r: DoctorReport, p: Paint): string {
  const lines: string[] = [];
  lines.push(
    p.bold(
      `couchmesh doctor — mesh ${r.mesh} at ${iso(Date.parse(r.at))} (${r.polls} polls, ${r.requests} requests)`,
    ),
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
    lines.push(p.grey(`  doc ${d.doc_id} on ${d.doc_node ?? '?'}; replication id ${d.rep_id ?? '(none)'}`));
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
      lines.push(
        p.grey(
          `  in the CouchDB log of ${d.doc_node ?? 'the node'} (couch_replicator entries): ${d.log_grep}`,
        ),
      );
  }
  lines.push('');
  if (r.healthy_directions) lines.push(p.green(`${r.healthy_directions} other direction(s) healthy`));
  lines.push(r.healthy ? p.green('healthy: nothing to do') : p.yellow('problems found (exit code 2)'));
  return lines.join('\n');
}

export function registerDoctor(program: Command, output: Output): void {
  program
    .command('doctor')
    .argument('[link]', 'a link, a--b (default: every link with a problem)')
    .description(
      'diagnose links: state, evidence, checkpoints on both sides, findings and concrete next steps (exit 2 when problems are found)',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--db <name>', 'the database, when the link carries several')
    .option('--direction <a->b>', 'one direction of the link')
    .option(
      '--log <file>',
      'a CouchDB log file: show its lines about the replication (couch_replicator entries)',
    )
    .addOption(
      new Option('--samples <n>', 'polls to take (default 2)').argParser((v) => Number.parseInt(v, 10)),
    )
    .addOption(
      new Option('--interval <ms>', 'between the polls (default 1000)').argParser((v) =>
        Number.parseInt(v, 10),
      ),
    )
    .option('--json', 'print the diagnosis as JSON')
    .action(
      async (
        link: string | undefined,
        opts: {
          file?: string;
          db?: string;
          direction?: string;
          log?: string;
          samples?: number;
          interval?: number;
          json?: boolean;
        },
      ) => {
        if (opts.samples !== undefined && !(opts.samples >= 1))
          throw userError('E_USAGE', '--samples must be a positive integer');
        const r = await doctorCommand(
          {
            file: opts.file,
            ...(link ? { link } : {}),
            ...(opts.db ? { db: opts.db } : {}),
            ...(opts.direction ? { direction: opts.direction } : {}),
            ...(opts.log ? { log: opts.log } : {}),
            ...(opts.samples ? { samples: opts.samples } : {}),
            ...(opts.interval !== undefined ? { intervalMs: opts.interval } : {}),
            json: opts.json === true,
          },
          { env: process.env },
          output,
        );
        if (opts.json) output.out(JSON.stringify(r, null, 2));
        else output.out(renderDoctor(r, paint(process.stdout.isTTY === true)));
        if (!r.healthy) exitWith(2);
      },
    );
}
