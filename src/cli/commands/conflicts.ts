import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../../core/clock.ts';
import { userError } from '../../core/errors.ts';
import { CouchClient } from '../../couch/index.ts';
import {
  type AuditEntry,
  type AuditSink,
  ConflictResolver,
  type ConflictsConfig,
  CouchAuditSink,
  NdjsonAuditSink,
  parseConflictsConfig,
  type ResolverEvent,
  ResolverWorker,
  type RunReport,
} from '../../resolve/index.ts';
import {
  type ConflictDetail,
  type ConflictSummary,
  listConflicts,
  showConflict,
} from '../../resolve/inspect.ts';
import {
  formatDetail,
  formatEntry,
  formatEvent,
  formatList,
  formatProgress,
  formatStats,
} from '../../resolve/report.ts';
import { type UndoResult, undoResolution } from '../../resolve/undo.ts';
import type { Output } from '../boundary.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where to connect (later supplied by mesh.yaml). The password only ever comes from the environment. */
export interface NodeFlags {
  url?: string;
  db?: string;
  user?: string;
  auditDb?: string;
  auditFile?: string;
}

/** Strategy flags of `show` and `resolve`; `--config` reads a `conflicts:` block (YAML or JSON). */
export interface StrategyFlags {
  config?: string;
  strategy?: string;
  timestamp?: string;
  field?: string;
  fields?: string;
  module?: string;
  batchSize?: number;
  concurrency?: number;
}

export function connect(f: NodeFlags, env: Env): { client: CouchClient; db: string } {
  const url = f.url ?? env.COUCHMESH_URL;
  if (!url)
    throw userError(
      'E_CONFLICTS_NODE',
      'which node? pass --url',
      'e.g. --url http://127.0.0.1:5984 (or set COUCHMESH_URL)',
    );
  if (!f.db) throw userError('E_CONFLICTS_NODE', 'which database? pass --db', 'e.g. --db sensors');
  const user = f.user ?? env.COUCHMESH_USER;
  const password = env.COUCHMESH_PASSWORD;
  if (user && password === undefined)
    throw userError(
      'E_CONFLICTS_AUTH',
      `--user ${user} given but COUCHMESH_PASSWORD is not set`,
      'export COUCHMESH_PASSWORD=... (passwords are never taken from flags or URLs)',
    );
  if (!user && password !== undefined)
    throw userError(
      'E_CONFLICTS_AUTH',
      'COUCHMESH_PASSWORD is set but no user',
      'pass --user NAME (or set COUCHMESH_USER)',
    );
  return {
    client: new CouchClient({
      url,
      ...(user ? { auth: { username: user, password: password as string } } : {}),
    }),
    db: f.db,
  };
}

/** The settings from `--config` and the strategy flags (flags win); lww when nothing says otherwise. */
export function configFromFlags(f: StrategyFlags & NodeFlags): { config: ConflictsConfig; baseDir: string } {
  let raw: Record<string, unknown> = {};
  const baseDir = f.config ? dirname(resolvePath(f.config)) : process.cwd();
  if (f.config) {
    let text: string;
    try {
      text = readFileSync(f.config, 'utf8');
    } catch (e) {
      throw userError('E_CONFLICTS_CONFIG', `cannot read ${f.config}: ${(e as Error).message}`);
    }
    const parsed = parseYaml(text) as Record<string, unknown> | null;
    raw = (parsed && typeof parsed.conflicts === 'object' ? parsed.conflicts : parsed) as Record<
      string,
      unknown
    >;
  }
  const set = (k: string, v: unknown) => {
    if (v !== undefined) raw[k] = v;
  };
  if (f.strategy && f.strategy !== raw.strategy)
    raw = {
      ...pick(raw, ['type_field', 'types', 'audit', 'batch_size', 'concurrency']),
      strategy: f.strategy,
    };
  raw.strategy ??= 'lww';
  set('timestamp', f.timestamp);
  set('field', f.field);
  set(
    'fields',
    f.fields
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  set('module', f.module);
  set('batch_size', f.batchSize);
  set('concurrency', f.concurrency);
  if (f.auditDb) raw.audit = { db: f.auditDb };
  if (f.auditFile) raw.audit = { file: f.auditFile };
  return { config: parseConflictsConfig(raw, f.config ?? 'flags'), baseDir };
}

const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

export function auditSink(f: NodeFlags, client: CouchClient): AuditSink {
  return f.auditFile
    ? new NdjsonAuditSink(resolvePath(f.auditFile))
    : new CouchAuditSink(client, f.auditDb ?? 'couchmesh_audit');
}

async function withClient<T>(
  f: NodeFlags,
  env: Env,
  fn: (client: CouchClient, db: string) => Promise<T>,
): Promise<T> {
  const { client, db } = connect(f, env);
  try {
    return await fn(client, db);
  } finally {
    await client.close();
  }
}

export const conflictsList = (f: NodeFlags & { limit?: number }, env: Env): Promise<ConflictSummary[]> =>
  withClient(f, env, (client, db) => listConflicts(client, db, { limit: f.limit }));

export const conflictsShow = (doc: string, f: NodeFlags & StrategyFlags, env: Env): Promise<ConflictDetail> =>
  withClient(f, env, async (client, db) => {
    const { config, baseDir } = configFromFlags(f);
    return showConflict(client, db, doc, await ConflictResolver.create(config, { baseDir }));
  });

export interface ResolveResult extends RunReport {
  db: string;
  audit: string;
  dryRun: boolean;
  events: ResolverEvent[];
}

export const conflictsResolve = (
  f: NodeFlags & StrategyFlags & { dryRun?: boolean; doc?: string[] },
  env: Env,
  progress?: (stats: ResolverWorker['stats']) => void,
): Promise<ResolveResult> =>
  withClient(f, env, async (client, db) => {
    const { config, baseDir } = configFromFlags(f);
    const events: ResolverEvent[] = [];
    let worker: ResolverWorker | undefined;
    worker = await ResolverWorker.create({
      client,
      db,
      config,
      baseDir,
      dryRun: !!f.dryRun,
      onEvent: (e) => {
        if (e.type !== 'checkpoint' && e.type !== 'retry') events.push(e);
        if (worker && progress) progress(worker.stats);
      },
    });
    const report = await worker.runOnce({ docIds: f.doc?.length ? f.doc : undefined });
    const audit = 'db' in config.audit ? `db ${config.audit.db}` : `file ${config.audit.file}`;
    return { ...report, db, audit, dryRun: !!f.dryRun, events };
  });

export const conflictsAudit = (doc: string, f: NodeFlags, env: Env): Promise<AuditEntry[]> =>
  withClient(f, env, (client) => auditSink(f, client).forDoc(doc));

export const conflictsUndo = (id: string, f: NodeFlags & { rev?: string }, env: Env): Promise<UndoResult> =>
  withClient(f, env, (client, db) =>
    undoResolution({
      client,
      db,
      audit: auditSink(f, client),
      resolution: id,
      rev: f.rev,
      clock: systemClock,
    }),
  );

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw userError('E_FLAG', `${name} expects a positive integer, got '${v}'`);
  return n;
};

function nodeOptions(c: Command, strategy = false): Command {
  c.option('--url <url>', 'node URL, without credentials (or COUCHMESH_URL)')
    .option('--db <name>', 'database')
    .option('--user <name>', 'user (or COUCHMESH_USER); the password comes from COUCHMESH_PASSWORD')
    .option('--audit-db <name>', 'audit database on the same node (default couchmesh_audit)')
    .option('--audit-file <path>', 'audit NDJSON file instead of a database')
    .option('--json', 'print JSON');
  if (strategy)
    c.option('--config <file>', 'conflict settings (YAML/JSON, the databases[].conflicts block)')
      .option('--strategy <name>', 'lww | field-merge | union | max | min | custom (default lww)')
      .option('--timestamp <field>', 'lww / union: timestamp field')
      .option('--field <field>', 'max / min: numeric field')
      .option('--fields <a,b>', 'union: set-like array fields')
      .option('--module <path>', 'custom: module exporting resolve(leaves, context)');
  return c;
}

export function registerConflicts(program: Command, output: Output): void {
  const print = (json: boolean | undefined, data: unknown, lines: () => string[]) =>
    output.out(json ? JSON.stringify(data, null, 2) : lines().join('\n') || '(nothing)');
  const cmd = program
    .command('conflicts')
    .description('find, resolve (with an audit trail) and undo document conflicts');

  nodeOptions(cmd.command('list').description('documents with conflicts'))
    .option('--limit <n>', 'stop after N documents', int('--limit'))
    .action(async (o) => {
      const rows = await conflictsList(o, process.env);
      print(o.json, rows, () => [...formatList(rows), `${rows.length} document(s) in conflict in ${o.db}`]);
    });

  nodeOptions(
    cmd.command('show <doc>').description("a document's leaves, and what the strategy would do"),
    true,
  ).action(async (doc: string, o) => {
    const d = await conflictsShow(doc, o, process.env);
    print(o.json, d, () => formatDetail(d));
  });

  nodeOptions(cmd.command('resolve').description('resolve every conflict of the database once'), true)
    .option('--dry-run', 'show what would be written; write nothing')
    .option('--doc <id...>', 'only these documents')
    .option('--batch-size <n>', 'documents per batch', int('--batch-size'))
    .option('--concurrency <n>', 'batches in flight', int('--concurrency'))
    .action(async (o) => {
      const tty = !o.json && process.stderr.isTTY === true;
      let last = 0;
      const progress = (s: ResolverWorker['stats']) => {
        if (Date.now() - last < 200) return;
        last = Date.now();
        process.stderr.write(`\r\x1b[K${formatProgress(s.snapshot())}`);
      };
      const r = await conflictsResolve(o, process.env, tty ? progress : undefined);
      if (tty) process.stderr.write('\r\x1b[K');
      print(o.json, r, () => [
        ...r.events.map(formatEvent),
        `${r.dryRun ? 'dry run: ' : ''}${r.db}: ${formatStats(r.stats)}; audit ${r.audit}`,
      ]);
      if (r.stats.failed > 0)
        throw userError(
          'E_RESOLVE_FAILED',
          `${r.stats.failed} document(s) could not be resolved`,
          'see the failed lines above; run resolve again',
        );
    });

  nodeOptions(
    cmd.command('audit <doc>').description("a document's audit trail (resolutions, declines, undos)"),
  ).action(async (doc: string, o) => {
    const entries = await conflictsAudit(doc, o, process.env);
    print(o.json, entries, () => entries.flatMap(formatEntry));
  });

  nodeOptions(cmd.command('undo <resolution>').description('restore a loser of a resolution as the winner'))
    .option('--rev <rev>', 'which deleted leaf to restore (when the resolution deleted several)')
    .action(async (id: string, o) => {
      const r = await conflictsUndo(id, o, process.env);
      print(o.json, r, () => [
        `restored ${r.restoredRev} of ${r.docId} as ${r.newRev} (undo entry ${r.entry})`,
      ]);
    });
}
