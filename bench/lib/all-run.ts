// Runs one benchmark program for `npm run bench` as a child process (its own process group, so a
// timeout stops it and whatever it started), its stdout and stderr kept in a log file, and reads its
// figures. A bench that exits non-zero with no figures, prints none it can read, or runs past its
// timeout is a failed row with its reason; the run goes on.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { BenchSpec } from './all-benches.ts';
import { type BenchResult, type Figure, JSON_PREFIX } from './emit.ts';
import { ROOT } from './process.ts';

export interface BenchOutcome {
  bench: string;
  status: 'ok' | 'failed';
  seconds: number;
  exit_code: number | null;
  reason?: string;
  figures: Figure[];
  headline?: string;
  load?: number[];
  log: string;
}

/** The `--json` last line of a bench (bench/lib/emit.ts). */
export function readJsonLine(stdout: string): BenchResult {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(JSON_PREFIX));
  if (!line) throw new Error('no --json figures line in its output');
  return JSON.parse(line) as BenchResult;
}

/** The last line that names an error, for a failed row (the log holds the rest). */
export function reasonOf(stderr: string, stdout: string, code: number | null, signal: string | null): string {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const err = [...lines].reverse().find((l) => /^(\w*Error|error:|Error\b)|\bE_[A-Z_]+\b/.test(l));
  const how = signal ? `killed by ${signal}` : `exit ${code}`;
  return err ? `${how}: ${err.slice(0, 160)}` : how;
}

export async function runBench(
  spec: BenchSpec,
  mode: 'quick' | 'full',
  logDir: string,
): Promise<BenchOutcome> {
  const args = [
    ...(spec.execArgv ?? []),
    '--import',
    'tsx',
    spec.script,
    ...spec[mode],
    ...(spec.noJsonFlag ? [] : ['--json']),
  ];
  const log = join(logDir, `${spec.name}.log`);
  const file = createWriteStream(log);
  file.write(`$ node ${args.join(' ')}\n`);
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    file.write(c);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr = (stderr + c).slice(-65_536);
    file.write(c);
  });
  let timedOut = false;
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  // its own process group does not get the terminal's Ctrl-C: pass it on, then stop
  const onSignal = (sig: NodeJS.Signals) => {
    killGroup(sig);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
  }, spec.timeoutMin[mode] * 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await new Promise((r) => file.end(r));
  const seconds = (performance.now() - t0) / 1000;
  const base = { bench: spec.name, seconds, exit_code: code, log };
  if (timedOut)
    return { ...base, status: 'failed', reason: `timed out after ${spec.timeoutMin[mode]} min`, figures: [] };
  let result: BenchResult;
  try {
    result = (spec.read ?? readJsonLine)(stdout);
  } catch (e) {
    const why = code === 0 ? (e as Error).message : reasonOf(stderr, stdout, code, signal);
    return { ...base, status: 'failed', reason: why, figures: [] };
  }
  return {
    ...base,
    status: 'ok',
    figures: result.figures,
    ...(result.headline ? { headline: result.headline } : {}),
    ...(result.load ? { load: result.load } : {}),
    // a bench that printed its figures but exits non-zero does so for a goal it missed (verify, soak)
    ...(code !== 0 ? { reason: `exit ${code} (a goal not met)` } : {}),
  };
}
