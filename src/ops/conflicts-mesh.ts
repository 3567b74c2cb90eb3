/**
 * The conflict operations over a mesh: node URLs and credentials from mesh.yaml, the strategy from
 * `databases[].conflicts`. `resolveMeshDatabase` is what the controller runs (through its adapter)
 * and what `couchmesh conflicts resolve -f mesh.yaml --db sensors [--node n1]` runs.
 *
 * Resolving on every node is convergent: a resolution's merged revision is written on CouchDB's
 * winner with a canonical body (rev id = md5 of parent + body, couch_db:new_revid), its tombstones
 * on the losers, and its audit entry as revision `1-<hash of the outcome>`; two nodes resolving the
 * same leaves independently write the same revisions, and replication merges them without a conflict.
 */
import { dirname } from 'node:path';
import { isCouchmeshError, userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/index.ts';
import {
  type AuditSink,
  type ConflictsConfig,
  CouchAuditSink,
  NdjsonAuditSink,
  type ResolverEvent,
  type ResolverStats,
  ResolverWorker,
} from '../resolve/index.ts';
import { listConflicts } from '../resolve/inspect.ts';
import { type UndoResult, undoResolution } from '../resolve/undo.ts';
import { didYouMean } from '../spec/suggest.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';

/** One resolution as the controller and its dashboard list it (compatible with the controller's view). */
export interface ResolutionSummary {
  at: string;
  db: string;
  node: string;
  doc_id: string;
  strategy: string;
  /** The winner after the resolution. */
  winner: string;
  losers: string[];
  /** The audit entry (what `conflicts undo` takes). */
  audit_id: string;
  undone: boolean;
}

export interface MeshResolveOptions {
  db: string;
  /** One node by name, or every node of the mesh (default). */
  node?: string | 'all';
  dryRun?: boolean;
  /** Only these documents. */
  docIds?: string[];
  /** Settings instead of the database's `conflicts:` block (CLI flags). */
  config?: ConflictsConfig;
}

export interface NodeResolveResult {
  node: string;
  /** Absent when the node could not be resolved (`error` says why). */
  stats?: ResolverStats;
  error?: string;
  /** Documents left in conflict on the node after the run (declined + failed; in a dry run: seen). */
  conflicted: number;
}

export interface MeshResolveResult {
  db: string;
  dryRun: boolean;
  audit: string;
  counts: { resolved: number; declined: number; failed: number };
  nodes: NodeResolveResult[];
  resolutions: ResolutionSummary[];
  /** Node name -> documents left in conflict. */
  conflicted: Record<string, number>;
}

export type MeshResolveEvent = ResolverEvent & { node: string };

/** The `conflicts:` block of a mesh database, or the user error saying what to write. */
export function meshConflictsConfig(mesh: OpenMesh, db: string): ConflictsConfig | undefined {
  const spec = mesh.spec.databases.find((d) => d.name === db);
  if (!spec)
    throw userError(
      'E_CONFLICTS_NODE',
      `database '${db}' is not in ${mesh.file}`,
      didYouMean(
        db,
        mesh.spec.databases.map((d) => d.name),
      ) ?? `one of: ${mesh.spec.databases.map((d) => d.name).join(', ')}`,
    );
  return spec.conflicts;
}

/** The nodes to act on: one by name (a user error naming the others when unknown), or all. */
export function meshNodes(
  mesh: OpenMesh,
  node: string | undefined,
): Array<{ name: string; client: CouchClient }> {
  const all = mesh.spec.nodes.map((n) => n.name);
  const names = node === undefined || node === 'all' ? all : [node];
  return names.map((name) => {
    const client = mesh.clients.get(name);
    if (!client)
      throw userError(
        'E_CONFLICTS_NODE',
        `no node '${name}' in ${mesh.file}`,
        didYouMean(name, all) ?? `one of: ${all.join(', ')}`,
      );
    return { name, client };
  });
}

/** The audit trail a database's settings name, on `client`'s node (a file relative to the mesh file). */
export function meshAuditSink(
  mesh: OpenMesh,
  config: ConflictsConfig | undefined,
  client: CouchClient,
): AuditSink {
  const a = config?.audit ?? { db: 'couchmesh_audit' };
  return 'db' in a
    ? new CouchAuditSink(client, a.db)
    : new NdjsonAuditSink(`${dirname(mesh.file)}/${a.file}`);
}

/** Errors of the settings rather than of a node: they stop the whole operation. */
const SETTINGS_ERRORS = new Set<string>(['E_CUSTOM_STRATEGY', 'E_CONFLICTS_CONFIG']);

const describeAudit = (c: ConflictsConfig) => ('db' in c.audit ? `db ${c.audit.db}` : `file ${c.audit.file}`);

/**
 * Resolves every conflict of `db` once on one node or on each node of the mesh (in parallel): the
 * database's strategy, its audit trail on each node, one worker per node. A node that fails (away,
 * no such database) is reported and the others go on.
 */
export async function resolveMeshDatabase(
  mesh: OpenMesh,
  o: MeshResolveOptions,
  deps: Pick<MeshDeps, 'clock' | 'signal'>,
  onEvent?: (e: MeshResolveEvent) => void,
): Promise<MeshResolveResult> {
  const config = o.config ?? meshConflictsConfig(mesh, o.db);
  if (!config)
    throw userError(
      'E_CONFLICTS_CONFIG',
      `database '${o.db}' has no conflicts: block in ${mesh.file}`,
      'add e.g. conflicts: { strategy: lww, timestamp: updated_at } under the database, or pass --strategy',
    );
  const clock = clockOf(deps);
  const nodes = meshNodes(mesh, o.node);
  const resolutions: ResolutionSummary[] = [];
  const baseDir = dirname(mesh.file);
  const results = await Promise.all(
    nodes.map(async ({ name, client }): Promise<NodeResolveResult> => {
      try {
        const worker = await ResolverWorker.create({
          client,
          db: o.db,
          config,
          baseDir,
          clock,
          name,
          dryRun: !!o.dryRun,
          ...(o.dryRun ? {} : { audit: meshAuditSink(mesh, config, client) }),
          onEvent: (e) => {
            if (e.type === 'resolved')
              resolutions.push({
                at: new Date(clock.now()).toISOString(),
                db: o.db,
                node: name,
                doc_id: e.docId,
                strategy: e.strategy,
                winner: e.resultRev,
                losers: e.losers,
                audit_id: e.entry,
                undone: false,
              });
            onEvent?.({ ...e, node: name });
          },
        });
        const { stats } = await worker.runOnce({
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(o.docIds?.length ? { docIds: o.docIds } : {}),
        });
        return { node: name, stats, conflicted: o.dryRun ? stats.seen : stats.declined + stats.failed };
      } catch (e) {
        // a settings mistake (a custom module that does not load) is the same on every node: say it once
        if (isCouchmeshError(e) && SETTINGS_ERRORS.has(e.code)) throw e;
        return { node: name, error: e instanceof Error ? e.message : String(e), conflicted: 0 };
      }
    }),
  );
  const sum = (k: 'resolved' | 'declined' | 'failed') => results.reduce((n, r) => n + (r.stats?.[k] ?? 0), 0);
  return {
    db: o.db,
    dryRun: !!o.dryRun,
    audit: describeAudit(config),
    counts: { resolved: sum('resolved'), declined: sum('declined'), failed: sum('failed') },
    nodes: results,
    resolutions,
    conflicted: Object.fromEntries(results.map((r) => [r.node, r.conflicted])),
  };
}

/**
 * Documents in conflict in `db` per node (`_changes?style=all_docs` + `_bulk_get` of the candidates);
 * null for a node that could not be read. For metrics and the dashboard's per-database counts.
 */
export async function meshConflictCounts(
  mesh: OpenMesh,
  o: { db: string; node?: string | 'all' },
  deps: Pick<MeshDeps, 'signal'> = {},
): Promise<Record<string, number | null>> {
  const nodes = meshNodes(mesh, o.node);
  const counts = await Promise.all(
    nodes.map(({ client }) =>
      listConflicts(client, o.db, deps.signal ? { signal: deps.signal } : {}).then(
        (rows) => rows.length,
        () => null,
      ),
    ),
  );
  return Object.fromEntries(nodes.map((n, i) => [n.name, counts[i] ?? null]));
}

/**
 * `conflicts undo` on a mesh (the controller's undo command): on `node`, or on the first node (mesh
 * order) whose audit trail holds the entry. Idempotent: a second undo writes nothing (`alreadyUndone`).
 */
export async function undoMeshResolution(
  mesh: OpenMesh,
  o: { db: string; auditId: string; node?: string; rev?: string },
  deps: Pick<MeshDeps, 'clock'>,
): Promise<UndoResult & { node: string }> {
  const config = meshConflictsConfig(mesh, o.db);
  const nodes = meshNodes(mesh, o.node);
  for (const { name, client } of nodes) {
    const audit = meshAuditSink(mesh, config, client);
    if (nodes.length > 1 && !(await audit.get(o.auditId).catch(() => undefined))) continue;
    const r = await undoResolution({
      client,
      db: o.db,
      audit,
      resolution: o.auditId,
      rev: o.rev,
      clock: clockOf(deps),
    });
    return { ...r, node: name };
  }
  throw userError(
    'E_AUDIT_NOT_FOUND',
    `no node of ${mesh.file} has the audit entry ${o.auditId}`,
    "list them with 'couchmesh conflicts audit DOC -f mesh.yaml --db DB'",
  );
}
