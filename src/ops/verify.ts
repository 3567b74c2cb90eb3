/**
 * The verify operation (`couchmesh verify`): mesh-wide anti-entropy. For every mesh database, the
 * documents, leaf revisions and winners of every node are compared through bucket digests
 * (src/verify), per node pair; `repair` then replicates exactly the differing ids along the mesh's
 * declared directions (verify-repair.ts) and verifies again. A replication mesh fails silently —
 * every job `running`, lag ~0, a node missing documents after its database was recreated — and
 * CouchDB has no other way to tell than reading both sides.
 */
import { EXIT } from '../core/codes.ts';
import type { CouchClient } from '../couch/client.ts';
import { DEFAULT_BUCKETS } from '../verify/buckets.ts';
import { type DbVerifyResult, type VerifyProgress, verifyDatabase } from '../verify/database.ts';
import { type VerifyTarget, verifyTargets } from '../verify/targets.ts';
import type { MeshDeps } from './deps.ts';
import { type OpenMesh, withMesh } from './mesh.ts';
import { type RepairEvent, type RepairRun, repairDivergence } from './verify-repair.ts';

export interface VerifyOptions {
  file?: string;
  /** one database (default: every mesh database) */
  db?: string;
  /** compare every pair of these nodes (default: the mesh's links) */
  nodes?: string[];
  /** ids listed per kind and pair (default 10) */
  firstN?: number;
  /** `_changes` rows per page (default 10,000) */
  pageSize?: number;
  /** documents pass 2 holds at once (default 200,000) */
  maxHeld?: number;
  buckets?: number;
  /** replicate the differing ids along the declared directions, then verify again */
  repair?: boolean;
  /** a repair job's poll interval (ms, default 250) and its time limit (default 30 min) */
  intervalMs?: number;
  timeoutMs?: number;
}

export type VerifyEvent = ({ kind: 'read'; phase: 'before' | 'after' } & VerifyProgress) | RepairEvent;

export interface VerifySummary {
  pairs: number;
  identical: number;
  divergent: number;
  not_compared: number;
  /** nodes that could not be read */
  unreachable: string[];
}

export interface VerifyReport {
  mesh: string;
  databases: DbVerifyResult[];
  summary: VerifySummary;
}

export interface VerifyOutcome {
  report: VerifyReport;
  /** with `repair` and something to repair: the one-shot runs, then the second verify */
  repairs?: RepairRun[];
  after?: VerifyReport;
  /** 0 every pair identical, 2 some pair divergent, 1 some pair could not be compared */
  exit_code: number;
}

export const VERIFY_DEFAULTS = { firstN: 10, pageSize: 10_000, maxHeld: 200_000 } as const;

export async function verifyOperation(
  opts: VerifyOptions,
  deps: MeshDeps,
  onEvent: (e: VerifyEvent) => void = () => {},
): Promise<VerifyOutcome> {
  // a page of 10,000 rows from a busy node takes seconds: the telemetry client's 5 s would call it unreachable
  const client = { timeoutMs: 60_000, ...deps.client };
  return withMesh(opts, { ...deps, client }, async (m) => {
    const run = (phase: 'before' | 'after', collectRepair: boolean) =>
      verifyOpenMesh(m, { ...opts, collectRepair }, deps.signal, (p) =>
        onEvent({ kind: 'read', phase, ...p }),
      );
    const report = await run('before', opts.repair === true);
    if (!opts.repair || report.summary.divergent === 0)
      return { report: strip(report), exit_code: verifyExitCode(report) };
    const repairs = await repairDivergence(m, report.databases, opts, deps, onEvent);
    const after = await run('after', false);
    return { report: strip(report), repairs, after, exit_code: verifyExitCode(after) };
  });
}

/** Verify of an open mesh (the operation's, and the controller's verify loop): every selected database. */
export async function verifyOpenMesh(
  m: OpenMesh,
  opts: Omit<VerifyOptions, 'file' | 'repair'> & { collectRepair?: boolean },
  signal?: AbortSignal,
  onProgress: (p: VerifyProgress) => void = () => {},
): Promise<VerifyReport> {
  const targets = verifyTargets(
    m.links,
    m.spec.nodes.map((n) => n.name),
    m.spec.databases.map((d) => d.name),
    opts,
  );
  return verifyMesh(m, targets, opts, opts.collectRepair === true, signal, onProgress);
}

async function verifyMesh(
  m: OpenMesh,
  targets: readonly VerifyTarget[],
  opts: VerifyOptions,
  collectRepair: boolean,
  signal: AbortSignal | undefined,
  onProgress: (p: VerifyProgress) => void,
): Promise<VerifyReport> {
  const databases: DbVerifyResult[] = [];
  for (const t of targets)
    databases.push(
      await verifyDatabase({
        db: t.db,
        nodes: t.nodes.map((name) => ({ name, client: m.clients.get(name) as CouchClient })),
        pairs: t.pairs,
        buckets: opts.buckets ?? DEFAULT_BUCKETS,
        pageSize: opts.pageSize ?? VERIFY_DEFAULTS.pageSize,
        maxHeld: opts.maxHeld ?? VERIFY_DEFAULTS.maxHeld,
        firstN: opts.firstN ?? VERIFY_DEFAULTS.firstN,
        collectRepair,
        ...(signal ? { signal } : {}),
        onProgress,
      }),
    );
  return { mesh: m.spec.mesh, databases, summary: summarizeVerify(databases) };
}

export function summarizeVerify(databases: readonly DbVerifyResult[]): VerifySummary {
  const pairs = databases.flatMap((d) => d.pairs);
  const unreachable = new Set<string>();
  for (const d of databases) for (const n of d.nodes) if (n.state === 'unreachable') unreachable.add(n.node);
  return {
    pairs: pairs.length,
    identical: pairs.filter((p) => p.state === 'identical').length,
    divergent: pairs.filter((p) => p.state === 'divergent').length,
    not_compared: pairs.filter((p) => p.state === 'not-compared').length,
    unreachable: [...unreachable],
  };
}

export function verifyExitCode(r: VerifyReport): number {
  if (r.summary.divergent) return EXIT.changes;
  return r.summary.not_compared ? EXIT.failure : EXIT.ok;
}

/** The report without the repair id lists (they grow with the divergence; the runs carry counts). */
function strip(r: VerifyReport): VerifyReport {
  for (const d of r.databases) for (const p of d.pairs) delete p.repair;
  return r;
}
