import { type Command, Option } from 'commander';
import { type RunningApi, startApi } from '../../api/index.ts';
import { DEMO_SCENARIOS, type DemoScenario, startControllerDemo } from '../../controller/demo.ts';
import type { PartitionResult } from '../../controller/demo-partition.ts';
import { userError } from '../../core/errors.ts';
import { startNode } from '../../node/index.ts';
import { checkDemoNodeCount } from '../../ops/demo.ts';
import type { DemoRun } from '../../ops/demo-types.ts';
import type { Env } from '../../ops/deps.ts';
import type { Output } from '../boundary.ts';
import { renderDemoJson, renderDemoNext } from '../views/demo.ts';
import { renderControllerDemoEvent, renderDashboard } from '../views/demo-controller.ts';
import { waitForSignal } from './node.ts';

export interface DemoFlags {
  /** stop once convergence is shown */
  exit?: boolean;
  /** number of nodes: 4 = the example mesh (examples/seed-mesh.yaml); otherwise a generated ring of n1..nN */
  nodes?: number;
  /** port of the first node (default: the mesh's, 25984); 0 = any free ports */
  port?: number;
  /** port of the HTTP API and dashboard on 127.0.0.1 (default 0: any free port) */
  apiPort?: number;
  scenario?: DemoScenario;
  /** progress on stderr; one JSON object (renderDemoJson) on stdout once the mesh and dashboard are ready */
  json?: boolean;
}

/** What the demo ran: the demo operation's result, the dashboard's URL, the scenario's outcome. */
export interface DemoResult extends DemoRun {
  dashboard: string;
  partition?: PartitionResult;
}

/** The partition scenario's pauses without --exit: before the cut, and the cut itself. */
const INTERACTIVE_BEFORE_MS = 10_000;
const INTERACTIVE_HOLD_MS = 5_000;

export interface DemoDeps {
  env: Env;
  /** progress lines, as they happen */
  out: (line: string) => void;
  /** resolves when the demo should stop (default: Ctrl-C / SIGTERM) */
  wait?: () => Promise<void>;
  /** how long to wait for the sample documents to arrive everywhere (default 30 s) */
  timeoutMs?: number;
  /** publishes the admin password as COUCHMESH_PASSWORD (the CLI sets it in process.env) */
  setEnv?: (name: string, value: string) => void;
  /** called once everything runs (and the scenario played), before waiting: --json prints it */
  ready?: (r: DemoResult) => void;
}

/**
 * `couchmesh demo`: runs the demo operation with the controller on its mesh (src/controller/demo.ts),
 * serves the HTTP API and dashboard, plays the scenario if one is asked for, prints what to try
 * next, then keeps everything running until `wait()` ends (or stops at once with --exit). The
 * controller, the API and the nodes are stopped before it returns.
 */
export async function demoCommand(flags: DemoFlags, deps: DemoDeps): Promise<DemoResult> {
  const { out } = deps;
  const demo = await startControllerDemo(
    {
      ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
      ...(flags.port !== undefined ? { port: flags.port } : {}),
      ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
      ...(flags.scenario ? { scenario: flags.scenario } : {}),
    },
    { env: deps.env, startNode, ...(deps.setEnv ? { setEnv: deps.setEnv } : {}) },
    (e) => out(renderControllerDemoEvent(e)),
  );
  let api: RunningApi | undefined;
  try {
    api = await startApi(demo.controller, { host: '127.0.0.1', port: flags.apiPort ?? 0 });
    out(renderDashboard(api.url));
    // interactively, time to open the dashboard before the cut, and a cut long enough to see
    const pace = flags.exit ? {} : { beforeMs: INTERACTIVE_BEFORE_MS, holdMs: INTERACTIVE_HOLD_MS };
    const partition = flags.scenario === 'partition' ? await demo.partition(pace) : undefined;
    const result: DemoResult = { ...demo.run, dashboard: `${api.url}/`, ...(partition ? { partition } : {}) };
    out(renderDemoNext(demo.run));
    deps.ready?.(result);
    if (flags.exit) out('\n--exit: stopping the controller and the nodes.');
    else {
      out('\nThe mesh and the controller keep running; Ctrl-C stops them (everything is in memory).');
      await (deps.wait ?? waitForSignal)();
      out('stopping…');
    }
    return result;
  } finally {
    await api?.close();
    await demo.close();
  }
}

function parsePort(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw userError('E_PORT', `${flag} expects 0..65535, got '${v}'`, 'use 0 for any free port');
  return n;
}

export const parseNodeCount = (v: string): number => checkDemoNodeCount(Number(v), `'${v}'`);

export function registerDemo(program: Command, output: Output): void {
  program
    .command('demo')
    .description(
      'start four embedded nodes, apply the example mesh (examples/seed-mesh.yaml), show data arriving everywhere, run the controller and its dashboard (Ctrl-C stops)',
    )
    .option('--exit', 'stop after showing convergence (for scripts)')
    .option('--json', 'progress on stderr; one JSON object on stdout once the mesh and dashboard are ready')
    .option('--nodes <n>', 'number of nodes: 4 = the example mesh, otherwise a ring n1..nN', parseNodeCount)
    .option('-p, --port <port>', 'port of the first node (default 25984; 0 = any free ports)', (v) =>
      parsePort(v, '--port'),
    )
    .option('--api-port <port>', 'port of the dashboard and API on 127.0.0.1 (default: any free port)', (v) =>
      parsePort(v, '--api-port'),
    )
    .addOption(
      new Option(
        '--scenario <name>',
        'partition: cut a node off, write on both sides, heal, watch the controller resolve',
      ).choices([...DEMO_SCENARIOS]),
    )
    .action(async (opts: DemoFlags) => {
      await demoCommand(opts, {
        env: { ...process.env },
        // with --json stdout carries only the JSON object, so a script can read it as it is
        out: (l) => (opts.json ? output.err(l) : output.out(l)),
        ...(opts.json ? { ready: (r: DemoResult) => output.out(renderDemoJson(r)) } : {}),
        // the spec's password variable, for anything in this process that reads the mesh afterwards
        setEnv: (name, value) => {
          process.env[name] = value;
        },
      });
    });
}
