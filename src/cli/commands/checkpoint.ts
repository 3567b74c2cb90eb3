import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { userError } from '../../core/errors.ts';
import type { CouchClient } from '../../couch/client.ts';
import { isCouchError } from '../../couch/errors.ts';
import { SERVER_WRITTEN_REPLICATION_FIELDS } from '../../couchdb/replicator-fields.ts';
import { type CheckpointComparison, compareCheckpoints } from '../../health/rules-checkpoint.ts';
import type { Finding } from '../../health/types.ts';
import {
  type CheckpointRead,
  type CheckpointSide,
  deleteCheckpointDoc,
  readCheckpoints,
  repIdBase,
} from '../../observe/checkpoints.ts';
import { type DirectionRef, directionKey } from '../../observe/links.ts';
import { type OpenMesh, selectLink } from '../../observe/mesh.ts';
import { integrityFindings } from '../../observe/poller.ts';
import type { Output } from '../boundary.ts';
import { type CliTelemetryDeps, exitWith, findingLine, type Paint, paint, withMesh } from './status.ts';

export interface CheckpointFlags {
  file?: string;
  link: string;
  db?: string;
  direction?: string;
  json?: boolean;
}

export interface CheckpointDeps extends CliTelemetryDeps {
  /** asks the user; default: a `yes` typed on the terminal (refused without one) */
  confirm?: (question: string) => Promise<boolean>;
}

/** A direction's replication as the scheduler reports it on the doc's node. */
export interface DirectionJob {
  link: string;
  db: string;
  from: string;
  to: string;
  direction: string;
  docNode: string;
  docId: string;
  /** null when the node has no job for the doc (missing doc, failed / completed) */
  repId: string | null;
  state: string | null;
}

async function schedulerEntry(client: CouchClient, docId: string) {
  try {
    return await client.get<{ id: string | null; state: string }>(
      `/_scheduler/docs/_replicator/${encodeURIComponent(docId)}`,
    );
  } catch (e) {
    if (isCouchError(e) && e.status === 404) return null;
    throw e;
  }
}

export async function directionJob(
  m: OpenMesh,
  link: string,
  db: string,
  ref: DirectionRef,
): Promise<DirectionJob> {
  const client = m.clients.get(ref.docNode) as CouchClient;
  const entry = await schedulerEntry(client, ref.docId);
  return {
    link,
    db,
    from: ref.from,
    to: ref.to,
    direction: directionKey(ref.from, ref.to),
    docNode: ref.docNode,
    docId: ref.docId,
    repId: entry?.id ?? null,
    state: entry?.state ?? null,
  };
}

function needRepId(j: DirectionJob): string {
  if (j.repId) return j.repId;
  throw userError(
    'E_NO_REPLICATION_ID',
    `${j.direction} (${j.db}) has no replication job on ${j.docNode} (${j.state ?? 'no _replicator document'}): its checkpoint id is unknown`,
    j.state === null
      ? 'create the replication documents first: couchmesh apply'
      : 'a failed or completed document has no job; recreate the document (couchmesh apply) and try again',
    { direction: j.direction, state: j.state },
  );
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
export async function checkpointShowCommand(
  flags: CheckpointFlags,
  deps: CliTelemetryDeps,
  output: Output | null = null,
) {
  return withMesh(flags, deps, output, async (m) => {
    const sel = selectLink(m.links, flags.link, flags);
    const out: CheckpointView[] = [];
    for (const ref of sel.directions) {
      const j = await directionJob(m, sel.link.link, sel.link.db, ref);
      const repId = needRepId(j);
      const ck = await readCheckpoints({ link: j.link, db: j.db, from: j.from, to: j.to, repId }, m.clients);
      out.push(view(j, ck));
    }
    return out;
  });
}

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

export interface ResetResult {
  link: string;
  db: string;
  direction: string;
  rep_id: string;
  base: string;
  doc_node: string;
  doc_id: string;
  deleted: { source: boolean; target: boolean };
  /** rev of the recreated `_replicator` document */
  recreated_rev: string;
}

const SERVER_FIELDS = ['_rev', ...SERVER_WRITTEN_REPLICATION_FIELDS];

/** Polls (bounded, on the clock) until the scheduler no longer lists the doc's job. */
async function jobGone(m: OpenMesh, deps: CliTelemetryDeps, node: string, docId: string): Promise<void> {
  const client = m.clients.get(node) as CouchClient;
  const clock = deps.clock ?? systemClock;
  for (let i = 0; i < 300; i++) {
    if ((await schedulerEntry(client, docId)) === null) return;
    await clock.sleep(100, deps.signal);
  }
  throw userError(
    'E_RESET_STOP',
    `the job of ${docId} on ${node} did not stop within 30 s`,
    'check the node, then retry',
  );
}

/**
 * One direction's reset: stop the job (delete its `_replicator` doc and wait until the scheduler
 * drops it, so it writes no further checkpoint), delete `_local/<rep id base>` in the source AND
 * the target database, then recreate the document as it was: the new job finds no checkpoint and
 * re-scans from 0.
 */
export async function resetDirection(
  m: OpenMesh,
  j: DirectionJob,
  deps: CliTelemetryDeps,
): Promise<ResetResult> {
  const repId = needRepId(j);
  const base = repIdBase(repId);
  const docClient = m.clients.get(j.docNode) as CouchClient;
  const path = `/_replicator/${encodeURIComponent(j.docId)}`;
  const doc = await docClient.get<Record<string, unknown>>(path);
  const body: Record<string, unknown> = { ...doc };
  for (const k of SERVER_FIELDS) delete body[k];
  await docClient.delete(path, { rev: String(doc._rev) });
  try {
    await jobGone(m, deps, j.docNode, j.docId);
    const [source, target] = await Promise.all([
      deleteCheckpointDoc(m.clients.get(j.from) as CouchClient, j.db, base),
      deleteCheckpointDoc(m.clients.get(j.to) as CouchClient, j.db, base),
    ]);
    const created = await docClient.put<{ rev: string }>(path, body);
    return {
      link: j.link,
      db: j.db,
      direction: j.direction,
      rep_id: repId,
      base,
      doc_node: j.docNode,
      doc_id: j.docId,
      deleted: { source: source.deleted, target: target.deleted },
      recreated_rev: created.rev,
    };
  } catch (e) {
    // never leave the direction without its document
    await docClient.put(path, body).catch(() => undefined);
    throw e;
  }
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(`${question} Only 'yes' will be accepted: `)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** `checkpoint reset` (data): confirmation, then `resetDirection` for each selected direction. */
export async function checkpointResetCommand(
  flags: CheckpointFlags & { yes?: boolean },
  deps: CheckpointDeps,
  output: Output | null = null,
): Promise<{ approved: boolean; results: ResetResult[] }> {
  return withMesh(flags, deps, output, async (m) => {
    const sel = selectLink(m.links, flags.link, flags);
    const jobs = await Promise.all(
      sel.directions.map((ref) => directionJob(m, sel.link.link, sel.link.db, ref)),
    );
    for (const j of jobs) needRepId(j);
    if (!flags.yes) {
      const confirm =
        deps.confirm ??
        (process.stdin.isTTY && !flags.json
          ? confirmOnTerminal
          : () => {
              throw userError(
                'E_CONFIRM',
                'checkpoint reset deletes checkpoints and there is no terminal to confirm it',
                'pass --yes to reset from a script',
              );
            });
      const what = jobs
        .map((j) => `${j.direction}: _local/${repIdBase(j.repId as string)} on ${j.from} and ${j.to}`)
        .join('; ');
      const ok = await confirm(
        `Reset the checkpoints of ${sel.link.link} (${sel.link.db}) — ${what} — and restart the job(s) from 0?`,
      );
      if (!ok) return { approved: false, results: [] };
    }
    const results: ResetResult[] = [];
    for (const j of jobs) results.push(await resetDirection(m, j, deps));
    return { approved: true, results };
  });
}

export function registerCheckpoint(program: Command, output: Output): void {
  const cmd = program
    .command('checkpoint')
    .description(
      'replication checkpoints (_local/<replication id> on source and target): show, verify, reset',
    );
  const common = (c: Command) =>
    c
      .argument('<link>', 'the link, a--b')
      .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
      .option('--db <name>', 'the database, when the link carries several')
      .option('--direction <a->b>', 'one direction (default: both)')
      .option('--json', 'print JSON');
  type Opts = { file?: string; db?: string; direction?: string; json?: boolean; yes?: boolean };
  const flagsOf = (link: string, o: Opts): CheckpointFlags => ({
    link,
    file: o.file,
    ...(o.db ? { db: o.db } : {}),
    ...(o.direction ? { direction: o.direction } : {}),
    json: o.json === true,
  });
  const p = () => paint(process.stdout.isTTY === true);
  common(cmd.command('show').description('both checkpoint docs of each direction')).action(
    async (link: string, o: Opts) => {
      const list = await checkpointShowCommand(flagsOf(link, o), { env: process.env }, output);
      output.out(o.json ? JSON.stringify(list, null, 2) : renderCheckpoints(list, p(), false));
    },
  );
  common(
    cmd
      .command('verify')
      .description(
        'compare source and target checkpoints as CouchDB does on restart (exit 2 when they disagree)',
      ),
  ).action(async (link: string, o: Opts) => {
    const list = await checkpointShowCommand(flagsOf(link, o), { env: process.env }, output);
    output.out(o.json ? JSON.stringify(list, null, 2) : renderCheckpoints(list, p(), true));
    if (list.some((v) => v.findings.some((f) => f.severity !== 'info'))) exitWith(2);
  });
  common(
    cmd
      .command('reset')
      .description(
        'force a clean re-scan: stop the job, delete the checkpoints on source AND target, recreate the job (asks first)',
      )
      .option('-y, --yes', 'do not ask (scripts)'),
  ).action(async (link: string, o: Opts) => {
    const r = await checkpointResetCommand(
      { ...flagsOf(link, o), yes: o.yes === true },
      { env: process.env },
      output,
    );
    if (o.json) output.out(JSON.stringify(r, null, 2));
    else if (!r.approved) output.out('Reset cancelled: nothing was changed.');
    else
      for (const x of r.results)
        output.out(
          `${x.direction} (${x.db}): job stopped, _local/${x.base} deleted on ${x.direction.split('->')[0]} (${x.deleted.source ? 'deleted' : 'was absent'}) and ${x.direction.split('->')[1]} (${x.deleted.target ? 'deleted' : 'was absent'}), ${x.doc_id} recreated on ${x.doc_node}: re-scanning from 0`,
        );
    if (!r.approved) throw userError('E_CANCELLED', 'checkpoint reset cancelled: nothing was changed');
  });
}
