/**
 * The controller's demo (`couchmesh demo`): the demo operation (src/ops/demo.ts) on a mesh with the
 * controller's settings (demo-mesh.ts), then the controller itself on that mesh, its log and local
 * store in the demo's temporary folder. With the partition scenario, the links of the first node go
 * through fault proxies (src/relay/fault-proxy.ts) that demo-partition.ts cuts and heals. The front
 * end serves the returned controller (HTTP API + dashboard); `close()` stops everything it started.
 */
import { join } from 'node:path';
import pino from 'pino';
import { CouchClient } from '../couch/client.ts';
import { runDemo } from '../ops/demo.ts';
import type { DemoDeps, DemoEvent, DemoNode, DemoProgress, DemoRun } from '../ops/demo-types.ts';
import { PASSWORD_ENV } from '../ops/example-mesh.ts';
import { type FaultProxy, startFaultProxy } from '../relay/fault-proxy.ts';
import { type Controller, startController } from './controller.ts';
import { DEMO_CONTROLLER, demoMeshText, linksOf } from './demo-mesh.ts';
import {
  type PartitionEvent,
  type PartitionPace,
  type PartitionResult,
  runPartition,
} from './demo-partition.ts';
import { controllerLogger } from './log.ts';

export type DemoScenario = 'partition';
export const DEMO_SCENARIOS: readonly DemoScenario[] = ['partition'];

export interface ControllerDemoOptions {
  nodes?: number;
  port?: number;
  timeoutMs?: number;
  scenario?: DemoScenario;
}

export type ControllerDemoEvent =
  | DemoEvent
  | { type: 'proxied'; node: string; links: string[] }
  | { type: 'controller-started'; pollMs: number; log: string }
  | PartitionEvent;

export interface ControllerDemo {
  run: DemoRun;
  controller: Controller;
  /** the node the partition scenario cuts off and its proxied links (absent without a scenario) */
  isolated?: { node: DemoNode; links: string[] };
  /** the partition scenario: cut, write on both sides, heal, wait for the controller to resolve */
  partition(pace?: PartitionPace): Promise<PartitionResult>;
  /** stops the controller, the nodes and the proxies; removes the temporary files (safe twice) */
  close(): Promise<void>;
}

/** How long the controller's in-flight work may take when the demo stops (then it is aborted). */
const STOP_GRACE_MS = 2000;

export async function startControllerDemo(
  o: ControllerDemoOptions,
  deps: DemoDeps,
  progress: (e: ControllerDemoEvent) => void = () => {},
): Promise<ControllerDemo> {
  // the password the demo settles on (the user's or a made-up one) reaches the controller's env
  const env = { ...deps.env };
  const proxies: FaultProxy[] = [];
  const proxied: string[] = [];
  const closeProxies = () => Promise.allSettled(proxies.map((p) => p.close()));
  let run: DemoRun;
  try {
    run = await runDemo(
      {
        ...(o.nodes !== undefined ? { nodes: o.nodes } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        editMesh: async (text, { spec, nodes }) => {
          const first = nodes[0] as DemoNode;
          const endpoints = new Map<string, Record<string, string>>();
          if (o.scenario === 'partition') {
            // one proxy per link of the first node, in front of that node
            const target = { host: '127.0.0.1', port: Number(new URL(first.url).port) };
            for (const key of linksOf(spec, first.name)) {
              const p = await startFaultProxy({ target, ...(deps.clock ? { clock: deps.clock } : {}) });
              proxies.push(p);
              proxied.push(key);
              endpoints.set(key, { [first.name]: p.url });
            }
            progress({ type: 'proxied', node: first.name, links: proxied });
          }
          return demoMeshText(text, spec, { db: 'sensors', resolver: first.name, endpoints });
        },
      },
      {
        ...deps,
        setEnv: (name, value) => {
          env[name] = value;
          deps.setEnv?.(name, value);
        },
      },
      progress as DemoProgress,
    );
  } catch (e) {
    await closeProxies();
    throw e;
  }
  let controller: Controller;
  const log = join(run.meshFile, '..', '.couchmesh', 'controller.log');
  try {
    controller = startController(
      {
        file: run.meshFile,
        graceMs: STOP_GRACE_MS,
        log: (redact) => controllerLogger(redact, pino.destination({ dest: log, mkdir: true, sync: true })),
      },
      { ...deps, env },
    );
  } catch (e) {
    await run.close();
    await closeProxies();
    throw e;
  }
  progress({ type: 'controller-started', pollMs: DEMO_CONTROLLER.poll_interval_ms, log });
  const password = env[PASSWORD_ENV] as string;
  const clients = run.nodes.map(
    (n) => new CouchClient({ url: n.url, auth: { username: 'admin', password }, retries: 2 }),
  );
  const first = run.nodes[0] as DemoNode;
  let closed: Promise<void> | undefined;
  return {
    run,
    controller,
    ...(proxied.length ? { isolated: { node: first, links: proxied } } : {}),
    partition: (pace) =>
      runPartition(
        { run, controller, proxies, links: proxied, clients, timeoutMs: o.timeoutMs ?? 30_000 },
        deps,
        progress,
        pace,
      ),
    close() {
      closed ??= (async () => {
        await controller.stop();
        await Promise.allSettled(clients.map((c) => c.close()));
        await run.close();
        await closeProxies();
      })();
      return closed;
    },
  };
}
