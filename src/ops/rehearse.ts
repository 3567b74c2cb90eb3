/**
 * The rehearse operation (`couchmesh rehearse`, #16): the declared topology on embedded nodes on
 * 127.0.0.1 with a fault proxy on every link (rehearse-world.ts: same nodes, links, link classes,
 * relays and conflict strategies; its own ports and credentials, so the real nodes of the file are
 * never contacted), the real controller started on it for the whole rehearsal
 * (rehearse-controller.ts), then each scenario in turn (src/rehearse/scenarios: partition, isolate,
 * split, flap, crash, recreate, relay-loss) with writers on every node, the heal, the controller
 * watched until the mesh converges, and the invariants. Returns the report; prints nothing.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userError } from '../core/errors.ts';
import { type RehearseReport, type ScenarioReport, summarize } from '../rehearse/report.ts';
import { scenarioPlan } from '../rehearse/scenarios/index.ts';
import { SCENARIOS, type ScenarioName } from '../rehearse/types.ts';
import type { Ack } from '../rehearse/writers.ts';
import { loadMeshFile, meshFilePath } from '../spec/load.ts';
import { didYouMean } from '../spec/suggest.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { MeshInvalidError, openMesh } from './mesh.ts';
import type { StartDiskNode } from './rehearse-children.ts';
import {
  ActionTally,
  REHEARSAL_CONTROLLER,
  type RehearsalController,
  type StartRehearsalController,
} from './rehearse-controller.ts';
import { runScenario, type ScenarioEvent } from './rehearse-scenario.ts';
import { RehearsalWorld } from './rehearse-world.ts';

export interface RehearseDeps extends MeshDeps {
  /** run the nodes in this process through src/node's startNode (tests); default: child processes */
  startNode?: StartDiskNode;
  /** the controller (`startController` of src/controller, which operations may not import) */
  startController: StartRehearsalController;
}

export interface RehearseOptions {
  file?: string;
  /** scenario names (default: all, in their order) */
  scenarios?: string[];
  /** how long each scenario's faults hold, in seconds (default 10) */
  durationS?: number;
  /** seeds every choice: links, nodes, writes (default 1) */
  seed?: number;
  /** writes per second per node (default 5) */
  rate?: number;
  /** how long the mesh may take to converge after a heal, in seconds (default 120) */
  convergeTimeoutS?: number;
}

export type RehearseEvent =
  | { type: 'starting'; nodes: number; links: number }
  | { type: 'node-started'; node: string }
  | { type: 'applied'; file: string }
  | { type: 'controller'; pollMs: number; log: string }
  | ScenarioEvent;

export const REHEARSE_DEFAULTS = { durationS: 10, seed: 1, rate: 5, convergeTimeoutS: 120 } as const;

function range(name: string, v: number, min: number, max: number): number {
  if (!Number.isFinite(v) || v < min || v > max)
    throw userError('E_REHEARSE_OPTION', `--${name} expects ${min}..${max}, got ${v}`);
  return v;
}

/** The scenarios asked for, in the closed set's order; a user error naming the closest one. */
export function selectScenarios(names: readonly string[] | undefined): ScenarioName[] {
  if (!names?.length) return [...SCENARIOS];
  for (const n of names)
    if (!(SCENARIOS as readonly string[]).includes(n))
      throw userError(
        'E_REHEARSE_SCENARIO',
        `no rehearsal scenario '${n}'`,
        didYouMean(n, [...SCENARIOS]) ?? `one of: ${SCENARIOS.join(', ')}`,
      );
  return SCENARIOS.filter((s) => names.includes(s));
}

export async function rehearseOperation(
  o: RehearseOptions,
  deps: RehearseDeps,
  progress: (e: RehearseEvent) => void = () => {},
): Promise<RehearseReport> {
  const names = selectScenarios(o.scenarios);
  // every request, sleep and loop of the rehearsal and its controller listens to the caller's signal
  if (deps.signal) setMaxListeners(1_000, deps.signal);
  const durationMs = Math.round(
    range('duration', o.durationS ?? REHEARSE_DEFAULTS.durationS, 0.5, 3600) * 1000,
  );
  const rate = range('rate', o.rate ?? REHEARSE_DEFAULTS.rate, 0.1, 100);
  const seed = Math.trunc(range('seed', o.seed ?? REHEARSE_DEFAULTS.seed, 0, 2 ** 32 - 1));
  const convergeTimeoutMs =
    range('converge-timeout', o.convergeTimeoutS ?? REHEARSE_DEFAULTS.convergeTimeoutS, 1, 3600) * 1000;
  const file = meshFilePath(o.file, deps.env);
  // the real mesh's credentials are never needed: its references are not checked
  const validation = loadMeshFile(file, { env: deps.env, checkReferences: false });
  if (!validation.ok || !validation.spec) throw new MeshInvalidError(validation);
  const spec = validation.spec;
  const world = new RehearsalWorld(spec, clockOf(deps), seed);
  try {
    progress({ type: 'starting', nodes: spec.nodes.length, links: spec.links.length });
    await world.start(
      readFileSync(file, 'utf8'),
      (node) => progress({ type: 'node-started', node }),
      deps.startNode,
    );
    progress({ type: 'applied', file: world.file });
    const wdeps = world.deps(deps.signal);
    const opened = openMesh({ file: world.file }, wdeps);
    if (!opened.ok) throw new MeshInvalidError(opened.validation);
    const m = opened.mesh;
    const acks: Ack[] = [];
    const reports: ScenarioReport[] = [];
    let controller: RehearsalController | undefined;
    let tally: ActionTally | undefined;
    try {
      await warmUp(
        world,
        spec.databases.map((d) => d.name),
        acks,
      );
      const log = join(world.dir, 'controller.log');
      controller = deps.startController(
        { file: world.file, stateDir: join(world.dir, '.couchmesh'), logFile: log },
        wdeps,
      );
      tally = new ActionTally(controller, world.clock);
      progress({ type: 'controller', pollMs: REHEARSAL_CONTROLLER.poll_interval_ms, log });
      for (const name of names) {
        const plan = scenarioPlan(name, world.topology, seed, durationMs);
        const run = {
          world,
          m,
          deps: wdeps,
          durationMs,
          rate,
          seed,
          acks,
          convergeTimeoutMs,
          controller,
          tally,
        };
        reports.push(await runScenario(run, plan, progress));
      }
    } finally {
      tally?.close();
      await controller?.stop();
      await m.close();
    }
    const head = {
      mesh: spec.mesh,
      seed,
      duration_ms: durationMs,
      rate,
      nodes: spec.nodes.map((n) => n.name),
      links: world.links,
    };
    return summarize(head, reports);
  } finally {
    await world.close();
  }
}

/** Documents on every node before the first scenario, so every replication has progress to checkpoint. */
async function warmUp(world: RehearsalWorld, databases: readonly string[], acks: Ack[]): Promise<void> {
  for (const [node, c] of world.clients)
    for (const db of databases) {
      const docs = Array.from({ length: 10 }, (_, i) => ({ _id: `warm-${node}-${i}`, by: node }));
      const res = await c.post<Array<{ ok?: boolean; id: string; rev: string }>>(
        `/${encodeURIComponent(db)}/_bulk_docs`,
        { docs },
      );
      for (const x of res) if (x.ok) acks.push({ node, db, id: x.id, rev: x.rev, deleted: false });
    }
}
