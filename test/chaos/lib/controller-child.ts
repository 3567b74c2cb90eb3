// The controller (`startController`, what `couchmesh run` starts) in a child process for the
// controller-kill runs: only the controller's modules are loaded (the CLI's are not: a child starts
// faster on a loaded machine). Logs go to stdout as pino lines (`loop X: first pass done`);
// SIGTERM stops it gracefully, as `couchmesh run` does.
//
//   node --import tsx test/chaos/lib/controller-child.ts MESH_FILE STATE_DIR
import pino from 'pino';
import { controllerLogger, startController } from '../../../src/controller/index.ts';

const [file, stateDir] = process.argv.slice(2) as [string, string];
const c = startController(
  { file, stateDir, log: (redact) => controllerLogger(redact, pino.destination(1)) },
  { env: process.env },
);
process.on('SIGTERM', () => void c.stop().then(() => process.exit(0)));
