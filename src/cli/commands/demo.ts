import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { startNode } from '../../node/index.ts';
import { checkDemoNodeCount, runDemo } from '../../ops/demo.ts';
import type { DemoRun } from '../../ops/demo-types.ts';
import type { Env } from '../../ops/deps.ts';
import type { Output } from '../boundary.ts';
import { renderDemoEvent, renderDemoNext } from '../views/demo.ts';
import { waitForSignal } from './node.ts';

export interface DemoFlags {
  /** stop once convergence is shown */
  exit?: boolean;
  /** number of nodes: 4 = the example mesh (examples/seed-mesh.yaml); otherwise a generated ring of n1..nN */
  nodes?: number;
  /** port of the first node (default: the mesh's, 25984); 0 = any free ports */
  port?: number;
}

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
}

/**
 * `couchmesh demo`: runs the demo operation (src/ops/demo.ts), prints its progress and what to try
 * next, then keeps the mesh running until `wait()` ends (or stops at once with --exit). The nodes
 * are stopped before it returns.
 */
export async function demoCommand(flags: DemoFlags, deps: DemoDeps): Promise<DemoRun> {
  const { out } = deps;
  const run = await runDemo(
    { nodes: flags.nodes, port: flags.port, timeoutMs: deps.timeoutMs },
    { env: deps.env, startNode, ...(deps.setEnv ? { setEnv: deps.setEnv } : {}) },
    (e) => out(renderDemoEvent(e)),
  );
  try {
    out(renderDemoNext(run));
    if (flags.exit) out('\n--exit: stopping the nodes.');
    else {
      out('\nThe mesh keeps running; Ctrl-C stops it (everything is in memory).');
      await (deps.wait ?? waitForSignal)();
      out('stopping…');
    }
    return run;
  } finally {
    await run.close();
  }
}

export const parseNodeCount = (v: string): number => checkDemoNodeCount(Number(v), `'${v}'`);

export function registerDemo(program: Command, output: Output): void {
  program
    .command('demo')
    .description(
      'start four embedded nodes, apply the example mesh (examples/seed-mesh.yaml), show data arriving everywhere (Ctrl-C stops)',
    )
    .option('--exit', 'stop after showing convergence (for scripts)')
    .option('--nodes <n>', 'number of nodes: 4 = the example mesh, otherwise a ring n1..nN', parseNodeCount)
    .option('-p, --port <port>', 'port of the first node (default 25984; 0 = any free ports)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw userError('E_PORT', `--port expects 0..65535, got '${v}'`, 'use 0 for any free ports');
      return n;
    })
    .action(async (opts: { exit?: boolean; nodes?: number; port?: number }) => {
      await demoCommand(opts, {
        env: { ...process.env },
        out: (l) => output.out(l),
        // the spec's password variable, for anything in this process that reads the mesh afterwards
        setEnv: (name, value) => {
          process.env[name] = value;
        },
      });
    });
}
