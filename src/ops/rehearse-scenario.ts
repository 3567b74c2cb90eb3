/**
 * One rehearsal scenario on a running world with the real controller running: writers on every node
 * at a fixed rate, the scenario's faults at their offsets, then everything healed, the controller
 * watched until the mesh converges (rehearse-converge.ts), the invariants checked
 * (rehearse-invariants.ts) and the controller's actions during the scenario counted.
 */
import { conflictLeaves, heldDocs, presence } from '../rehearse/held.ts';
import { type ScenarioReport, skippedScenario } from '../rehearse/report.ts';
import { findRescans } from '../rehearse/rescans.ts';
import { describeFault, type Fault, type ScenarioPlan } from '../rehearse/types.ts';
import { type Ack, newTally, startWriters } from '../rehearse/writers.ts';
import type { MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';
import { checkpointsSettled, readCheckpoints, readJobs } from './rehearse-checkpoints.ts';
import { type ActionTally, type RehearsalController, resolvedTotal } from './rehearse-controller.ts';
import { converge } from './rehearse-converge.ts';
import { checkInvariants, readJson } from './rehearse-invariants.ts';
import type { RehearsalWorld } from './rehearse-world.ts';

export type ScenarioEvent =
  | { type: 'scenario'; name: string; description: string }
  | { type: 'skipped'; name: string; why: string }
  | { type: 'fault'; name: string; atMs: number; text: string }
  | { type: 'healed'; name: string }
  | { type: 'converged'; name: string; ok: boolean; ms: number; passes: number }
  | { type: 'checked'; name: string; passed: boolean };

export interface ScenarioRun {
  world: RehearsalWorld;
  m: OpenMesh;
  deps: MeshDeps;
  durationMs: number;
  rate: number;
  seed: number;
  /** every write acknowledged by earlier scenarios (appended to) */
  acks: Ack[];
  convergeTimeoutMs: number;
  /** the real controller, running for the whole rehearsal */
  controller: RehearsalController;
  /** its actions, taken per scenario */
  tally: ActionTally;
}

/**
 * Conflicting leaves on the first node (live leaves beyond each document's winner), over every
 * database: what a scenario adds to it is the conflicts it made (every node holds the same once
 * converged).
 */
async function conflictCount(r: ScenarioRun): Promise<number> {
  const first = r.m.spec.nodes[0]?.name as string;
  let n = 0;
  for (const d of r.m.spec.databases)
    n += conflictLeaves(await heldDocs(readJson(r.world.client(first)), d.name));
  return n;
}

/**
 * The other nodes' documents of `db`, read just before `node`'s copy is deleted: a write `node`
 * acknowledged that none of them holds then is deleted with the database (the user's act, not a
 * replication fault), so no-write-lost does not count it. Which writes those are is decided after
 * the delete, so a write acked while the others were read is judged too.
 */
async function heldElsewhere(r: ScenarioRun, node: string, db: string) {
  return Promise.all(
    [...r.world.clients]
      .filter(([n]) => n !== node)
      .map(([, c]) => heldDocs(readJson(c), db).catch(() => new Map())),
  );
}

async function apply(w: RehearsalWorld, f: Fault): Promise<void> {
  switch (f.kind) {
    case 'cut':
    case 'heal':
      return w.cut(f.links, f.kind === 'cut');
    case 'crash':
      return w.node(f.node).kill();
    case 'restart':
      return w.node(f.node).restart();
    case 'lose-relay':
      return w.loseRelay(f.node, f.links);
    case 'recreate': {
      const c = w.client(f.node);
      const path = `/${encodeURIComponent(f.db)}`;
      await c.delete(path);
      await c.put(path);
    }
  }
}

export async function runScenario(
  r: ScenarioRun,
  plan: ScenarioPlan,
  progress: (e: ScenarioEvent) => void,
): Promise<ScenarioReport> {
  const name = plan.name;
  if (plan.skipped) {
    progress({ type: 'skipped', name, why: plan.skipped });
    return skippedScenario(name, plan.description, plan.skipped);
  }
  progress({ type: 'scenario', name, description: plan.description });
  const clock = r.world.clock;
  // a baseline: every job's progress recorded before the faults (bounded by the longest interval)
  const interval = Math.max(...r.m.spec.links.map((l) => l.params.checkpoint_interval), 0);
  await checkpointsSettled(r.m, clock, interval + 5000);
  const before = await readCheckpoints(r.m);
  const keptBefore = await conflictCount(r);
  const relayedBefore = r.world.relayedBytes();
  const proxiedBefore = r.world.proxiedBytes();
  const resolvedBefore = resolvedTotal(r.controller.snapshot());
  r.tally.take();
  const tally = newTally();
  const databases = r.m.spec.databases.map((d) => d.name);
  const writers = startWriters(
    { clients: r.world.clients, databases, rate: r.rate, seed: r.seed, clock, tag: name },
    tally,
  );
  const steps: string[] = [];
  /** acks of a database deleted on purpose, acked by that node before the delete: gone by design */
  const exempt = new Set<Ack>();
  const t0 = clock.now();
  try {
    for (const s of plan.steps) {
      const wait = t0 + s.atMs - clock.now();
      if (wait > 0) await clock.sleep(wait, r.deps.signal);
      const f = s.fault;
      const others = f.kind === 'recreate' ? await heldElsewhere(r, f.node, f.db) : [];
      await apply(r.world, f);
      if (f.kind === 'recreate')
        for (const a of tally.acked)
          if (a.node === f.node && a.db === f.db && !others.some((held) => presence(held, a))) exempt.add(a);
      const text = describeFault(f);
      steps.push(`${s.atMs} ms: ${text}`);
      progress({ type: 'fault', name, atMs: s.atMs, text });
    }
    const rest = t0 + r.durationMs - clock.now();
    if (rest > 0) await clock.sleep(rest, r.deps.signal);
  } finally {
    await writers.stop();
    await r.world.healAll();
  }
  if (exempt.size)
    steps.push(
      `${exempt.size} writes acked on the recreated database and held nowhere else at its delete: gone with it, by design`,
    );
  progress({ type: 'healed', name });
  const converged = await converge(r.m, r.controller, r.deps, {
    timeoutMs: r.convergeTimeoutMs,
    pauseMs: 250,
    healedAt: clock.now(),
    reset: plan.expectRescan,
  });
  if (!converged.ok) steps.push(`not converged: ${converged.waiting.join('; ')}`);
  progress({ type: 'converged', name, ok: converged.ok, ms: converged.ms, passes: converged.passes });
  r.acks.push(...tally.acked.filter((a) => !exempt.has(a)));
  const { labels, jobs } = await readJobs(r.m);
  const rescans = findRescans(before, await readCheckpoints(r.m), plan.expectRescan, labels, jobs);
  const invariants = await checkInvariants({ m: r.m, deps: r.deps, converged, acks: r.acks, rescans });
  const keptAfter = await conflictCount(r);
  const relayedAfter = r.world.relayedBytes();
  const resolved = resolvedTotal(r.controller.snapshot()) - resolvedBefore;
  const actions = r.tally.take();
  // the router's switches in time order among the faults (offsets from the scenario's start)
  const routed = actions.changes.map((c) => ({ at: c.at - t0, text: `${c.at - t0} ms: ${c.text}` }));
  const timed = steps.map((text) => ({ at: Number.parseInt(text, 10), text }));
  const ordered = [
    ...[...timed, ...routed].filter((x) => !Number.isNaN(x.at)).sort((a, b) => a.at - b.at),
    ...timed.filter((x) => Number.isNaN(x.at)),
  ];
  const report: ScenarioReport = {
    name,
    description: plan.description,
    steps: ordered.map((x) => x.text),
    converge_ms: converged.ok ? converged.ms : null,
    passes: converged.passes,
    writes: { acked: tally.acked.length, refused: tally.refused, failed: tally.failed },
    conflicts: {
      created: Math.max(0, keptAfter - keptBefore) + resolved,
      resolved,
      left: keptAfter,
    },
    relayed_bytes: relayedAfter === null ? null : relayedAfter - (relayedBefore ?? 0),
    rescans: {
      unexpected: rescans.filter((x) => !x.expected).length,
      expected: rescans.filter((x) => x.expected).length,
      list: rescans,
    },
    actions: actions.loops,
    action_kinds: actions.kinds,
    ...(r.m.spec.failover
      ? {
          failover: {
            ...actions.routes,
            proxy_bytes: proxiedBefore === null ? null : (r.world.proxiedBytes() ?? 0) - proxiedBefore,
          },
        }
      : {}),
    invariants,
    passed: invariants.every((x) => x.ok),
  };
  progress({ type: 'checked', name, passed: report.passed });
  return report;
}
