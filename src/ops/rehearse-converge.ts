/**
 * After a scenario's heal, waiting for the real controller (rehearse-controller.ts), running since
 * the rehearsal started, to bring the mesh back: its loops do the work (drift repair, conflict
 * resolution, remediation as the file's policies allow, the router), this only watches. Converged =
 * the controller's own view says so (a poll after the heal, every direction running, no critical
 * finding, no conflict counted where a strategy is configured, an empty drift plan) and then verify
 * finds every pair identical (CouchDB's replicator says `running` with lag 0 while a node misses
 * documents: only reading both sides tells). The time is measured on the injected clock.
 */
import { clockOf, type MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';
import { notYet, type RehearsalController } from './rehearse-controller.ts';
import { type VerifyReport, verifyOpenMesh } from './verify.ts';

export interface ConvergeOptions {
  /** give up after this long (ms on the clock) */
  timeoutMs: number;
  /** between looks at the controller's snapshot (ms) */
  pauseMs: number;
  /** the clock's time of the heal */
  healedAt: number;
  /** `node/db` the scenario recreated on purpose (their seq-regression findings are expected) */
  reset: readonly string[];
}

export interface Converged {
  ok: boolean;
  /** from the heal until converged (or until it gave up) */
  ms: number;
  /** verify passes it took */
  passes: number;
  /** the last verify (an empty one when the controller never said converged) */
  last: VerifyReport;
  /** what kept it from converging, when it gave up */
  waiting: string[];
}

export async function converge(
  m: OpenMesh,
  c: RehearsalController,
  deps: MeshDeps,
  o: ConvergeOptions,
): Promise<Converged> {
  const clock = clockOf(deps);
  const strategies = m.spec.databases.filter((d) => d.conflicts).map((d) => d.name);
  let passes = 0;
  let last: VerifyReport | undefined;
  for (;;) {
    let waiting = notYet(c.snapshot(), o.healedAt, strategies, o.reset);
    if (!waiting.length) {
      passes++;
      last = await verifyOpenMesh(m, {}, deps.signal);
      const s = last.summary;
      if (s.divergent === 0 && s.not_compared === 0) {
        return { ok: true, ms: clock.now() - o.healedAt, passes, last, waiting };
      }
      waiting = [`verify: ${s.divergent} pairs divergent, ${s.not_compared} not compared`];
    }
    const ms = clock.now() - o.healedAt;
    if (ms > o.timeoutMs) {
      last ??= await verifyOpenMesh(m, {}, deps.signal);
      return { ok: false, ms, passes, last, waiting };
    }
    await clock.sleep(o.pauseMs, deps.signal);
  }
}
