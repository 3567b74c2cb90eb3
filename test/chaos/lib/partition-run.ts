// One partition/heal run: the seed mesh behind fault proxies, a seeded schedule of cuts and heals
// with writers on several nodes, then everything healed and the invariants checked.
import { seededRandom } from '../../../src/core/random.ts';
import { resolveMeshDatabase } from '../../../src/ops/conflicts-mesh.ts';
import { openMesh } from '../../../src/ops/mesh.ts';
import { checkResolved } from './audited.ts';
import { checkAcked, converge, planActions } from './invariants.ts';
import { judge, type RunResult } from './result.ts';
import { describeFault, linksCut, schedule } from './schedule.ts';
import { linkKey } from './topology.ts';
import { ChaosWorld, DB, RESOLVER } from './world.ts';
import { newTally, writeBurst } from './writers.ts';

export interface PartitionRunOptions {
  steps?: number;
  /** verify passes allowed for convergence after the heal */
  maxPasses?: number;
  /** a conflict strategy (lww) configured: the resolver runs after the heal, then the audit invariant */
  strategy?: boolean;
}

export async function partitionRun(seed: number, o: PartitionRunOptions = {}): Promise<RunResult> {
  const r = seededRandom(seed);
  const w = await new ChaosWorld().start({ strategy: o.strategy === true });
  try {
    const plan = schedule(r, w.topology, o.steps ?? 4);
    const tally = newTally();
    const cut = new Set<string>();
    const log: string[] = [];
    for (const [i, s] of plan.entries()) {
      const f = s.fault;
      if (f.kind === 'heal-all') {
        w.healAll();
        cut.clear();
      } else if (f.kind === 'heal-link') {
        w.cut(f.link, false);
        cut.delete(linkKey(f.link));
      } else
        for (const l of linksCut(f, w.topology)) {
          w.cut(l);
          cut.add(linkKey(l));
        }
      log.push(
        `${describeFault(f)} [cut: ${[...cut].sort().join(' ') || 'none'}] writes ${s.writes} on ${s.writers.join(',')}, hold ${s.holdMs} ms`,
      );
      await writeBurst(w, s.writers, s.writes, r, tally, `s${i}`);
      await new Promise((res) => setTimeout(res, s.holdMs));
    }
    w.healAll();
    log.push('heal-all');
    let conv = await converge(w, o.maxPasses);
    const extra: string[] = [];
    if (o.strategy && conv.ok) {
      const resolved = await resolveOnce(w);
      log.push(`resolved ${resolved} conflicts on ${RESOLVER}`);
      conv = await converge(w, o.maxPasses);
      if (conv.ok) {
        const c = await checkResolved(w, tally.acked, RESOLVER);
        log.push(`${c.audited} acked revs on losing branches, each in the audit trail`);
        extra.push(...c.violations);
      }
    }
    const acks = conv.ok ? await checkAcked(w, tally.acked) : undefined;
    const scenario = o.strategy ? 'partition-lww' : 'partition';
    return judge(scenario, seed, log, tally, conv, acks, await planActions(w), extra);
  } finally {
    await w.close();
  }
}

/** One pass of the database's resolver on its node (what the controller's conflicts loop runs). */
async function resolveOnce(w: ChaosWorld): Promise<number> {
  const r = openMesh({ file: w.file }, w.deps());
  if (!r.ok) throw new Error('invalid mesh');
  try {
    const res = await resolveMeshDatabase(r.mesh, { db: DB, node: RESOLVER }, {});
    const failed = res.nodes.filter((n) => n.error);
    if (failed.length) throw new Error(`the resolver failed: ${failed.map((n) => n.error).join('; ')}`);
    return res.counts.resolved;
  } finally {
    await r.mesh.close();
  }
}
