/**
 * `couchmesh conflicts list|show|resolve|audit|undo -f mesh.yaml --db sensors [--node n1]`: the same
 * operations as with `--url`, on the nodes of a mesh (URLs and credentials from mesh.yaml, the strategy
 * and the audit trail from the database's `conflicts:` block; strategy flags win over the block).
 */
import { dirname } from 'node:path';
import { userError } from '../core/errors.ts';
import type { CouchClientOptions } from '../couch/options.ts';
import { type AuditEntry, ConflictResolver, type ConflictsConfig } from '../resolve/index.ts';
import {
  type ConflictDetail,
  type ConflictSummary,
  listConflicts,
  showConflict,
} from '../resolve/inspect.ts';
import type { UndoResult } from '../resolve/undo.ts';
import { type StrategyOptions, strategyConfig } from './conflicts-config.ts';
import {
  type MeshResolveEvent,
  type MeshResolveResult,
  meshAuditSink,
  meshConflictsConfig,
  meshNodes,
  resolveMeshDatabase,
  undoMeshResolution,
} from './conflicts-mesh.ts';
import type { MeshDeps } from './deps.ts';
import { MeshInvalidError, type OpenMesh, openMesh } from './mesh.ts';

export interface MeshTarget {
  /** mesh.yaml (default: COUCHMESH_FILE, then ./mesh.yaml). */
  file?: string;
  db?: string;
  /** One node; default every node (undo: the first whose audit holds the entry). */
  node?: string;
}

/** Resolver requests carry batches of hundreds of documents: more patience than a telemetry poll. */
const RESOLVE_CLIENT: Partial<CouchClientOptions> = { retries: 3, timeoutMs: 60_000 };

async function withConflictsMesh<T>(
  t: MeshTarget,
  deps: MeshDeps,
  fn: (mesh: OpenMesh, db: string) => Promise<T>,
): Promise<T> {
  const db = t.db;
  if (!db) throw userError('E_CONFLICTS_NODE', 'which database? pass --db', 'e.g. --db sensors');
  const r = openMesh({ file: t.file }, deps, { clientDefaults: RESOLVE_CLIENT });
  if (!r.ok) throw new MeshInvalidError(r.validation);
  try {
    meshConflictsConfig(r.mesh, db); // an unknown database is named before any request
    return await fn(r.mesh, db);
  } finally {
    await r.mesh.close();
  }
}

const hasStrategyFlags = (f: StrategyOptions) =>
  [f.config, f.strategy, f.timestamp, f.field, f.fields, f.module, f.batchSize, f.concurrency].some(
    (v) => v !== undefined,
  );

/** The flags' settings when any strategy flag is given, else the database's `conflicts:` block. */
function settings(mesh: OpenMesh, db: string, f: StrategyOptions): ConflictsConfig | undefined {
  return hasStrategyFlags(f) ? strategyConfig(f).config : meshConflictsConfig(mesh, db);
}

export const meshConflictsList = (
  t: MeshTarget & { limit?: number },
  deps: MeshDeps,
): Promise<Array<{ node: string; conflicts: ConflictSummary[] }>> =>
  withConflictsMesh(t, deps, (mesh, db) =>
    Promise.all(
      meshNodes(mesh, t.node).map(async ({ name, client }) => ({
        node: name,
        conflicts: await listConflicts(client, db, { limit: t.limit }),
      })),
    ),
  );

export const meshConflictsShow = (
  doc: string,
  t: MeshTarget & StrategyOptions,
  deps: MeshDeps,
): Promise<Array<{ node: string; detail: ConflictDetail }>> =>
  withConflictsMesh(t, deps, async (mesh, db) => {
    const config = settings(mesh, db, t);
    const resolver = config ? await ConflictResolver.create(config, { baseDir: dirOf(mesh) }) : undefined;
    return Promise.all(
      meshNodes(mesh, t.node).map(async ({ name, client }) => ({
        node: name,
        detail: await showConflict(client, db, doc, resolver),
      })),
    );
  });

export const meshConflictsResolve = (
  t: MeshTarget & StrategyOptions & { dryRun?: boolean; doc?: string[] },
  deps: MeshDeps,
  onEvent?: (e: MeshResolveEvent) => void,
): Promise<MeshResolveResult> =>
  withConflictsMesh(t, deps, (mesh, db) => {
    const config = hasStrategyFlags(t) ? strategyConfig(t).config : undefined;
    return resolveMeshDatabase(
      mesh,
      {
        db,
        node: t.node,
        dryRun: !!t.dryRun,
        ...(t.doc ? { docIds: t.doc } : {}),
        ...(config ? { config } : {}),
      },
      deps,
      onEvent,
    );
  });

/** A document's audit trail, merged over the nodes (an entry replicated to several nodes once). */
export const meshConflictsAudit = (doc: string, t: MeshTarget, deps: MeshDeps): Promise<AuditEntry[]> =>
  withConflictsMesh(t, deps, async (mesh, db) => {
    const config = meshConflictsConfig(mesh, db);
    const byId = new Map<string, AuditEntry>();
    for (const { client } of meshNodes(mesh, t.node))
      for (const e of await meshAuditSink(mesh, config, client).forDoc(doc))
        if (!byId.has(e._id)) byId.set(e._id, e);
    return [...byId.values()].sort((a, b) =>
      a.recorded_at < b.recorded_at ? -1 : a.recorded_at > b.recorded_at ? 1 : 0,
    );
  });

/** Undo on `--node`, or on the first node (mesh order) whose audit trail holds the resolution. */
export const meshConflictsUndo = (
  id: string,
  t: MeshTarget & { rev?: string },
  deps: MeshDeps,
): Promise<UndoResult & { node: string }> =>
  withConflictsMesh(t, deps, (mesh, db) =>
    undoMeshResolution(mesh, { db, auditId: id, node: t.node, rev: t.rev }, deps),
  );

const dirOf = (mesh: OpenMesh) => dirname(mesh.file);
