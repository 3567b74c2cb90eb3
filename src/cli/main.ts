import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { userError } from '../core/errors.ts';
import { type Output, processOutput, reportError } from './boundary.ts';
import { registerApply } from './commands/apply.ts';
import { registerCerts } from './commands/certs.ts';
import { registerCheckpoint } from './commands/checkpoint.ts';
import { registerConflicts } from './commands/conflicts.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDestroy } from './commands/destroy.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerGraph } from './commands/graph.ts';
import { registerInit } from './commands/init.ts';
import { registerMetrics } from './commands/metrics.ts';
import { registerNode } from './commands/node.ts';
import { registerPlan } from './commands/plan.ts';
import { registerReconcile } from './commands/reconcile.ts';
import { registerRehearse } from './commands/rehearse.ts';
import { registerRelay } from './commands/relay.ts';
import { registerRotate } from './commands/rotate.ts';
import { registerRoutes } from './commands/routes.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerValidate } from './commands/validate.ts';
import { registerVerify } from './commands/verify.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(output: Output): Command {
  const program = new Command('couchmesh')
    .description('A declared peer-to-peer CouchDB replication mesh: plan, apply, observe, heal.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s), writeErr: (s) => output.err(s) });
  registerDemo(program, output);
  registerNode(program, output);
  registerInit(program, output);
  registerValidate(program, output);
  registerGraph(program, output);
  registerConflicts(program, output);
  registerPlan(program, output);
  registerApply(program, output);
  registerDestroy(program, output);
  registerStatus(program, output);
  registerDoctor(program, output);
  registerCheckpoint(program, output);
  registerReconcile(program, output);
  registerVerify(program, output);
  registerRehearse(program, output);
  registerRotate(program, output);
  registerMetrics(program, output);
  registerCerts(program, output);
  registerRun(program, output);
  registerRelay(program, output);
  registerRoutes(program, output);
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit, so it is testable). */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const program = buildProgram(output);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      if (e.code === 'commander.unknownCommand') {
        // commander already printed "error: unknown command 'x'" (+ suggestion)
        output.err("  hint: run 'couchmesh --help' to list the commands");
      }
      return e.exitCode || 1;
    }
    return reportError(e, output, json);
  }
}

export { userError };

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
