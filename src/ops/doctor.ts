/**
 * The doctor operation: a few polls with the slow reads every time, both checkpoints of every
 * selected direction, the findings, and concrete next steps (the playbook), as data.
 */

import { redactDeep } from '../core/redact.ts';
import { seqText } from '../couchdb/seq.ts';
import { reasonHint } from '../health/playbook.ts';
import type { Finding } from '../health/types.ts';
import { type CheckpointRead, readCheckpoints, repIdBase } from '../observe/checkpoints.ts';
import { directionKey, type MeshLink } from '../observe/links.ts';
import type { SideNote } from '../observe/side-reads.ts';
import type { DirectionState } from '../observe/snapshot.ts';
import { mapLimit } from '../plan/observe.ts';
import type { SecurityFinding } from '../security/checks-types.ts';
import type { MeshDeps } from './deps.ts';
import { scanSecurity } from './doctor-security.ts';
import { grepLog, type LogMatches } from './grep-log.ts';
import { type LinkChoice, selectLink, withMesh } from './mesh.ts';
import { meshRedactor } from './mesh-secrets.ts';
import { newPoller } from './poll.ts';

export interface DoctorOptions extends Partial<LinkChoice> {
  file?: string;
  /** a CouchDB log file to grep for the replication's lines */
  log?: string;
  /** polls taken (default 2: rules over counters need two points) */
  samples?: number;
  /** ms between the polls (default 1000) */
  intervalMs?: number;
  /** a certificate folder (`couchmesh certs`) whose certificates are checked for expiry */
  certs?: string;
}

export interface DirectionDiagnosis {
  link: string;
  db: string;
  direction: string;
  doc_node: string | null;
  /** the cluster member running the job when the doc node is a CouchDB cluster: whose couch.log to read */
  member?: string;
  /** other members named by the job's state (the one a `Duplicate replication` runs on): their logs too */
  other_members?: string[];
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
  /** the security checks (src/security/checks.ts): findings with evidence and a fix, no secret */
  security: SecurityFinding[];
  /** side reads that failed in the last poll (observe/side-reads.ts): what the diagnosis lacks */
  notes?: Array<SideNote & { node: string }>;
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

/**
 * The member whose log holds the job's lines (a cluster's couch_replicator entries are in the log of
 * the member that runs the job, not the one the URL reached), and any other member its reason names
 * (`Duplicate replication running on <member>`, cluster-samples/54).
 */
function membersOf(d: DirectionState, findings: Finding[]): { member?: string; other_members?: string[] } {
  const named = [...(d.reason ?? '').matchAll(/running on (\S+@[\w.-]+)/g)].map((m) => m[1] as string);
  // an unassigned doc's lines are in the log of the down member that owned it
  const down = findings.find((f) => f.rule === 'unassigned')?.evidence.downMembers;
  if (typeof down === 'string') named.push(...down.split(','));
  const others = [...new Set(named)].filter((m) => m !== d.clusterNode);
  return {
    ...(d.clusterNode ? { member: d.clusterNode } : {}),
    ...(others.length ? { other_members: others } : {}),
  };
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
  // nothing wrong but something to know (a cluster's unassigned doc, a handoff): its step
  if (problems.length === 0) for (const f of findings) add(f.playbook);
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
export async function doctorOperation(opts: DoctorOptions, deps: MeshDeps): Promise<DoctorReport> {
  return withMesh(opts, deps, async (m) => {
    const only = opts.link;
    const selected: Array<{ link: MeshLink; dirs: MeshLink['directions'][number][] }> = only
      ? (() => {
          const s = selectLink(m.links, { ...opts, link: only });
          return [{ link: s.link, dirs: s.directions }];
        })()
      : m.links.map((l) => ({ link: l, dirs: [...l.directions] }));
    const redact = meshRedactor(m);
    const poller = newPoller(m, deps, { slowIntervalMs: 0 });
    const samples = Math.max(1, opts.samples ?? 2);
    let requests = 0;
    // the security reads run beside the polls (their own few requests per node)
    const security = scanSecurity(m, opts.certs ? { certs: opts.certs } : {}, deps);
    security.catch(() => undefined); // awaited below; a poll failing first must not leave it unhandled
    let r = await poller.pollOnce(deps.signal);
    requests += r.requests.total;
    for (let i = 1; i < samples; i++) {
      await poller.clock.sleep(opts.intervalMs ?? 1000, deps.signal);
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
    const nodeFindings = findings.filter((f) => f.node !== null && (!opts.link || involved.has(f.node)));
    const diagnoses: DirectionDiagnosis[] = [];
    let healthyCount = 0;
    for (const d of wanted) {
      const key = `${d.link}|${d.db}|${d.direction}`;
      const mine = findings.filter((f) => f.link === d.link && f.db === d.db && f.direction === d.direction);
      const ck = reads.get(key);
      const problems = mine.filter((f) => f.severity !== 'info');
      const healthy = problems.length === 0 && (d.state === 'running' || d.state === 'completed');
      if (!opts.link && healthy && mine.length === 0) {
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
        ...membersOf(d, mine),
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
      if (opts.log && terms.length) dx.log = await grepLog(opts.log, terms, 20, redact);
      diagnoses.push(dx);
    }
    const sec = await security;
    requests += sec.requests;
    const notes = r.snapshots.flatMap((x) => (x.notes ?? []).map((n) => ({ node: x.node, ...n })));
    const report: DoctorReport = {
      mesh: m.spec.mesh,
      at: new Date(r.at).toISOString(),
      polls: samples,
      healthy:
        nodeFindings.every((f) => f.severity === 'info') &&
        diagnoses.every((x) => x.healthy) &&
        sec.findings.every((f) => f.severity === 'info'),
      node_findings: nodeFindings,
      directions: diagnoses,
      healthy_directions: healthyCount,
      security: sec.findings,
      ...(notes.length ? { notes } : {}),
      requests,
    };
    // a scheduler reason or a checkpoint error can quote a URL or a node's answer: the whole report
    // (text and --json render from it) is masked, not only the log excerpts
    return redactDeep(report, redact);
  });
}
