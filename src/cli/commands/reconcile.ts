import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { type Clock, systemClock } from '../../core/clock.ts';
import { userError } from '../../core/errors.ts';
import type { CouchClient } from '../../couch/client.ts';
import { isCouchError } from '../../couch/errors.ts';
import { seqNumber } from '../../couchdb/seq.ts';
import { deleteCheckpointDoc, repIdBase } from '../../observe/checkpoints.ts';
import { type DirectionRef, directionKey } from '../../observe/links.ts';
import { type OpenMesh, selectLink } from '../../observe/mesh.ts';
import { parseDbInfo, parseSchedulerDoc } from '../../observe/parse.ts';
import type { RepStats, SchedulerDoc } from '../../observe/types.ts';
import { desiredState } from '../../plan/desired.ts';
import type { Output } from '../boundary.ts';
import { type CliTelemetryDeps, stopSignal, withMesh } from './status.ts';

export interface ReconcileFlags {
  file?: string;
  link: string;
  db?: string;
  direction?: string;
  json?: boolean;
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
): Record<string, unknown> {
  const desired = desiredState(m.spec, m.passwordOf).docs.find((d) => d.id === ref.docId);
  if (!desired) throw userError('E_NO_SUCH_DIRECTION', `no replication ${ref.docId} in this mesh`);
  const { couchmesh, ...fields } = desired.body;
  return {
    ...fields,
    source: { ...fields.source, headers: { 'x-couchmesh-reconcile': runId } },
    continuous: false,
    create_target: false,
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

async function reconcileDirection(
  m: OpenMesh,
  link: string,
  db: string,
  ref: DirectionRef,
  flags: ReconcileFlags,
  deps: CliTelemetryDeps,
  signal: AbortSignal,
  onProgress: (p: ReconcileProgress) => void,
): Promise<ReconcileResult> {
  const clock: Clock = deps.clock ?? systemClock;
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
  await client.put(path, oneShotDoc(m, ref, db, runId));
  let repId: string | null = null;
  let done: SchedulerDoc | null = null;
  const deadline = clock.now() + (flags.timeoutMs ?? 1_800_000);
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
      await clock.sleep(flags.intervalMs ?? 500, signal);
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
 * `couchmesh reconcile` (data): per selected direction (one after the other), a one-shot
 * `continuous: false` job on the direction's driving node, followed until `completed`, its stats,
 * then its document removed. Ctrl-C removes the document too.
 */
export async function reconcileCommand(
  flags: ReconcileFlags,
  deps: CliTelemetryDeps,
  onProgress: (p: ReconcileProgress) => void = () => {},
  output: Output | null = null,
): Promise<ReconcileResult[]> {
  return withMesh(flags, deps, output, async (m) => {
    const sel = selectLink(m.links, flags.link, flags);
    const stop = stopSignal(deps);
    try {
      const out: ReconcileResult[] = [];
      for (const ref of sel.directions)
        out.push(
          await reconcileDirection(m, sel.link.link, sel.link.db, ref, flags, deps, stop.signal, onProgress),
        );
      return out;
    } finally {
      stop.dispose();
    }
  });
}

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

export function registerReconcile(program: Command, output: Output): void {
  program
    .command('reconcile')
    .argument('<link>', 'the link, a--b')
    .description(
      'one-shot pass: a continuous:false job per direction, followed to completion, its stats shown, its document removed',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--db <name>', 'the database, when the link carries several')
    .option('--direction <a->b>', 'one direction (default: both, one after the other)')
    .addOption(
      new Option('--timeout <ms>', 'give up after (default 1800000)').argParser((v) =>
        Number.parseInt(v, 10),
      ),
    )
    .option('--json', 'print the results as JSON')
    .action(
      async (
        link: string,
        opts: { file?: string; db?: string; direction?: string; timeout?: number; json?: boolean },
      ) => {
        const tty = process.stdout.isTTY === true && !opts.json;
        let lastLine = '';
        const results = await reconcileCommand(
          {
            link,
            file: opts.file,
            ...(opts.db ? { db: opts.db } : {}),
            ...(opts.direction ? { direction: opts.direction } : {}),
            ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
            json: opts.json === true,
          },
          { env: process.env },
          (p) => {
            if (opts.json) return;
            const line = progressBar(p);
            if (tty) process.stdout.write(`\r\x1b[2K${line}${p.state === 'completed' ? '\n' : ''}`);
            else if (line !== lastLine) output.out(line);
            lastLine = line;
          },
          output,
        );
        if (opts.json) output.out(JSON.stringify(results, null, 2));
        else for (const r of results) output.out(renderReconcile(r));
      },
    );
}
