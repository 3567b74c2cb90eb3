// The controller (`startController`, what `couchmesh run` starts) in its own process, for
// bench/controller-run.ts: the parent reads this process's CPU and RSS from /proc, so they are the
// controller's alone. Prints `{"url":"","pid":…}` once started; answers every `stats` line on stdin
// with one JSON line (live heap after a GC, polls, actions, requests of the last poll, directions running); stops the
// controller (gracefully, as SIGTERM does) when stdin ends.
//
//   node --import tsx bench/lib/controller-child.ts MESH_FILE STATE_DIR LOG_FILE
import { createInterface } from 'node:readline';
import pino from 'pino';
import { controllerLogger, startController } from '../../src/controller/index.ts';

const [file, stateDir, logFile] = process.argv.slice(2) as [string, string, string];
const c = startController(
  {
    file,
    stateDir,
    // the log is written as `couchmesh run` writes it (pino, info level), to a file nobody reads
    log: (redact) => controllerLogger(redact, pino.destination({ dest: logFile, sync: false })),
  },
  { env: {} },
);
let polls = 0;
let actions = 0;
let requests = 0;
let maxNodeRequests = 0;
let requestsTotal = 0;
let running = 0;
let directions = 0;
c.subscribe((e) => {
  if (e.type === 'action') actions++;
  if (e.type !== 'poll') return;
  polls++;
  requests = e.status.nodes.reduce((a, n) => a + n.requests, 0);
  requestsTotal += requests;
  maxNodeRequests = Math.max(0, ...e.status.nodes.map((n) => n.requests));
  running = e.status.directions.filter((d) => d.state === 'running').length;
  directions = e.status.directions.length;
});
process.stdout.write(`${JSON.stringify({ url: '', pid: process.pid })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (l) => {
  if (l.trim() !== 'stats') return;
  // the live heap (after a full GC, the child runs with --expose-gc): what growth would show in
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = process.memoryUsage();
  const rules: Record<string, number> = {};
  const snap = c.snapshot();
  for (const f of snap.findings) rules[f.rule] = (rules[f.rule] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify({
      stats: true,
      heapUsed: mem.heapUsed,
      polls,
      actions,
      requests,
      requestsTotal,
      maxNodeRequests,
      running,
      directions,
      findings: snap.findings.length,
      rules,
    })}\n`,
  );
});
lines.on('close', () => {
  void c.stop().then(() => process.exit(0));
});
process.on('SIGTERM', () => void c.stop().then(() => process.exit(0)));
