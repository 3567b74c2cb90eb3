/**
 * The canary loop (key `canary`, FAILOVER #15): one canary round over every link direction each
 * `canary.interval_ms`, its samples kept in the context's book (`ctx.canary.samples(from, to)`,
 * newest last, bounded: the router's input), in the metrics, and on the snapshot's directions and
 * status rows. The probe lives as long as the controller, so a steady round is one write per
 * direction and one `_changes` feed per node. Absent when the mesh's canary is off.
 */
import { CanaryBook } from '../canary/book.ts';
import type { CanaryProbe } from '../canary/probe.ts';
import { canaryDirections, newCanaryProbe } from '../ops/canary.ts';
import type { MeshDeps } from '../ops/deps.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import { canaryOf } from '../spec/canary.ts';
import type { Ctx } from './context.ts';

export const CANARY_KEY = 'canary';

export interface CanaryLoop {
  readonly book: CanaryBook;
  readonly probe: CanaryProbe;
  readonly intervalMs: number;
  readonly db: string;
}

/** The loop's state for a mesh whose canary is on, else undefined. */
export function canaryLoopOf(m: OpenMesh, deps: MeshDeps): CanaryLoop | undefined {
  const c = canaryOf(m.spec);
  const probe = newCanaryProbe(m, deps);
  if (!c || !probe) return undefined;
  return { book: new CanaryBook(), probe, intervalMs: c.interval_ms, db: c.database };
}

/** One round; returns when to run again. */
export async function canaryOnce(ctx: Ctx, loop: CanaryLoop): Promise<number> {
  const { samples } = await loop.probe.round(canaryDirections(ctx.m.spec), ctx.deps.signal);
  if (ctx.deps.signal?.aborted) return loop.intervalMs; // a stop cut the round short: not a measurement
  loop.book.add(...samples);
  ctx.metrics.canary(loop.db).record(samples);
  ctx.state.canary((from, to) =>
    loop.book.samples(from, to).length ? loop.book.stats(from, to) : undefined,
  );
  const lost = samples.filter((s) => s.latencyMs === null).map((s) => `${s.from}->${s.to}`);
  if (lost.length) ctx.log.info({ lost }, `canary: ${lost.length} of ${samples.length} not seen in time`);
  return loop.intervalMs;
}
