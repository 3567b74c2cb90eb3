/**
 * After a scenario's heal, what the controller would do until the mesh settles, run in process
 * through the operations its loops use (src/controller: loop-drift, loop-conflicts, loop-verify):
 * drift repair (plan + apply: a deleted database is created again, a lost `_replicator` doc
 * rewritten), a conflict resolution pass of every database whose `conflicts:` block asks for one (on
 * its `node`, or every node), and verify. Where the mesh's remediation policy would act on a
 * recreated database or a seq regression (`reconcile` / `reset-checkpoints`), a verify that keeps
 * finding the same divergence is repaired as `verify --repair` does (one-shot replications of
 * exactly the differing ids along the declared directions). Converged = every pair identical and no
 * conflict left where a strategy is configured; the time is measured on the injected clock.
 */
import type { MeshSpec } from '../spec/types.ts';
import { executePlan } from './apply.ts';
import { resolveMeshDatabase } from './conflicts-mesh.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';
import { preparePlan } from './plan.ts';
import { type VerifyReport, verifyOpenMesh } from './verify.ts';
import { repairDivergence } from './verify-repair.ts';

export interface ConvergeOptions {
  /** give up after this long (ms on the clock) */
  timeoutMs: number;
  /** between passes (ms) */
  pauseMs: number;
}

export interface Converged {
  ok: boolean;
  /** from the call until converged (or until it gave up) */
  ms: number;
  passes: number;
  last: VerifyReport;
  resolved: number;
  /** documents left in conflict after the last resolution pass */
  left: number;
  /** plan actions drift repair applied */
  drift: number;
  /** documents verify's repair wrote */
  repaired: number;
}

/** Whether the mesh's remediation policy would repair a recreated database or a seq regression. */
export function repairsDivergence(spec: MeshSpec): boolean {
  const r = spec.controller?.remediation ?? {};
  return [r['db-recreated'], r['seq-regression']].some((x) => x === 'reconcile' || x === 'reset-checkpoints');
}

/** One drift-repair pass (the controller's `mesh` key): the actions it applied. */
async function driftOnce(file: string, deps: MeshDeps): Promise<number> {
  const prep = await preparePlan({ file }, deps);
  if (!prep.ok) return 0;
  try {
    const n = prep.plan.actions.length;
    if (n) await executePlan(prep, async () => true, deps);
    return n;
  } finally {
    await prep.close();
  }
}

/** Repairs between verify passes: every third pass that still finds a divergence. */
const REPAIR_EVERY = 3;

export async function converge(m: OpenMesh, deps: MeshDeps, o: ConvergeOptions): Promise<Converged> {
  const clock = clockOf(deps);
  const t0 = clock.now();
  const repair = repairsDivergence(m.spec);
  const strategies = m.spec.databases.filter((d) => d.conflicts);
  let [resolved, left, drift, repaired] = [0, 0, 0, 0];
  for (let passes = 1; ; passes++) {
    drift += await driftOnce(m.file, deps);
    left = 0;
    for (const d of strategies) {
      const node = d.conflicts?.node;
      const r = await resolveMeshDatabase(m, { db: d.name, ...(node ? { node } : {}) }, deps);
      resolved += r.counts.resolved;
      left += Object.values(r.conflicted).reduce((a, b) => a + b, 0);
    }
    const last = await verifyOpenMesh(m, { collectRepair: repair }, deps.signal);
    const s = last.summary;
    const done = s.divergent === 0 && s.not_compared === 0 && left === 0;
    const ms = clock.now() - t0;
    if (done || ms > o.timeoutMs) return { ok: done, ms, passes, last, resolved, left, drift, repaired };
    if (repair && s.divergent && passes % REPAIR_EVERY === 0)
      for (const run of await repairDivergence(m, last.databases, {}, deps, () => {}))
        repaired += run.docs_written;
    await clock.sleep(o.pauseMs, deps.signal);
  }
}
