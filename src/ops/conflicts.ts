/**
 * The conflict operations on one database of one node: list, show (what the strategy would do),
 * resolve (merged winner + deleted losers in one `_bulk_docs`, audited), audit trail, undo.
 */
import type { CouchClient } from '../couch/index.ts';
import {
  type AuditEntry,
  ConflictResolver,
  type ResolverEvent,
  ResolverWorker,
  type RunReport,
} from '../resolve/index.ts';
import {
  type ConflictDetail,
  type ConflictSummary,
  listConflicts,
  showConflict,
} from '../resolve/inspect.ts';
import { type UndoResult, undoResolution } from '../resolve/undo.ts';
import {
  auditSink,
  type ConflictsTarget,
  connect,
  type StrategyOptions,
  strategyConfig,
} from './conflicts-config.ts';
import { clockOf, type MeshDeps } from './deps.ts';

/** What the conflict operations need from the outside world (the password comes from `env`). */
export type ConflictsDeps = Pick<MeshDeps, 'env' | 'clock'>;

async function withClient<T>(
  f: ConflictsTarget,
  deps: ConflictsDeps,
  fn: (client: CouchClient, db: string) => Promise<T>,
): Promise<T> {
  const { client, db } = connect(f, deps.env);
  try {
    return await fn(client, db);
  } finally {
    await client.close();
  }
}

export const conflictsList = (
  f: ConflictsTarget & { limit?: number },
  deps: ConflictsDeps,
): Promise<ConflictSummary[]> =>
  withClient(f, deps, (client, db) => listConflicts(client, db, { limit: f.limit }));

export const conflictsShow = (
  doc: string,
  f: ConflictsTarget & StrategyOptions,
  deps: ConflictsDeps,
): Promise<ConflictDetail> =>
  withClient(f, deps, async (client, db) => {
    const { config, baseDir } = strategyConfig(f);
    return showConflict(client, db, doc, await ConflictResolver.create(config, { baseDir }));
  });

export interface ResolveResult extends RunReport {
  db: string;
  audit: string;
  dryRun: boolean;
  events: ResolverEvent[];
}

export const conflictsResolve = (
  f: ConflictsTarget & StrategyOptions & { dryRun?: boolean; doc?: string[] },
  deps: ConflictsDeps,
  progress?: (stats: ResolverWorker['stats']) => void,
): Promise<ResolveResult> =>
  withClient(f, deps, async (client, db) => {
    const { config, baseDir } = strategyConfig(f);
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

export const conflictsAudit = (doc: string, f: ConflictsTarget, deps: ConflictsDeps): Promise<AuditEntry[]> =>
  withClient(f, deps, (client) => auditSink(f, client).forDoc(doc));

export const conflictsUndo = (
  id: string,
  f: ConflictsTarget & { rev?: string },
  deps: ConflictsDeps,
): Promise<UndoResult> =>
  withClient(f, deps, (client, db) =>
    undoResolution({
      client,
      db,
      audit: auditSink(f, client),
      resolution: id,
      rev: f.rev,
      clock: clockOf(deps),
    }),
  );
