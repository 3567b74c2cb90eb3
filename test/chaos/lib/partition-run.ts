// One partition/heal run: the seed mesh behind fault proxies, a seeded schedule of cuts and heals
// with writers on several nodes, then everything healed and the invariants checked.
import { seededRandom } from '../../../src/core/random.ts';
import { checkAcked, converge, planActions } from './invariants.ts';
import { judge, type RunResult } from './result.ts';
import { describeFault, linksCut, schedule } from './schedule.ts';
import { linkKey } from './topology.ts';
import { ChaosWorld } from './world.ts';
import { newTally, writeBurst } from './writers.ts';

export interface PartitionRunOptions {
  steps?: number;
  /** verify passes allowed for convergence after the heal */
  maxPasses?: number;
}

export async function partitionRun(seed: number, o: PartitionRunOptions = {}): Promise<RunResult> {
  const r = seededRandom(seed);
  const w = await new ChaosWorld().start();
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
    const conv = await converge(w, o.maxPasses);
    const acks = conv.ok ? await checkAcked(w, tally.acked) : undefined;
    return judge('partition', seed, log, tally, conv, acks, await planActions(w));
  } finally {
    await w.close();
  }
}
