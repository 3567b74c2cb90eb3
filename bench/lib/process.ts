// Child processes for the benchmark programs: servers started in their own process (one JSON line
// `{"url":…,"pid":…}` on stdout once listening, exit when stdin ends), their CPU time and RSS from /proc, and
// a temp folder that goes away with the benchmark.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (children run with it as cwd, so repo-relative script paths work). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  url: string;
  pid: number;
  proc: ChildProcess;
  close(): Promise<void>;
}

export async function spawnChild(argv: string[], startTimeoutMs = 30_000): Promise<Child> {
  const proc = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => {
    err = (err + c).slice(-16_384);
  });
  const exited = once(proc, 'exit');
  const info = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} did not start within ${startTimeoutMs} ms:\n${err}`));
    }, startTimeoutMs);
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; pid: number });
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited (code ${code}, signal ${signal}):\n${err}`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    ...info,
    proc,
    close() {
      closing ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.stdin!.end();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/** The first line of an error and, for a child that died, the line naming its error. */
export function firstLine(e: unknown): string {
  const lines = (e instanceof Error ? e.message : String(e))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const cause = lines.slice(1).find((l) => /^[\w.]*Error\b/.test(l));
  return cause ? `${lines[0]} ${cause}` : (lines[0] ?? '');
}

/** CPU time (µs) a process has run so far, all its threads (schedstat: ns on CPU); NaN if unknown. */
export function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
  } catch {
    return Number.NaN;
  }
  return ns / 1000;
}

/** The pid of our child process running `script` (startExpressPouch() does not expose it). */
export function childPid(script: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Idle RSS (KiB) of `launches` fresh processes, each read `idleMs` after `start()` resolved (and after
 * `prepare(child)`, if given: e.g. starting replication jobs), then closed.
 */
export async function idleRss(
  start: () => Promise<Child>,
  launches: number,
  idleMs: number,
  prepare?: (child: Child) => Promise<void>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < launches; i++) {
    const child = await start();
    try {
      await prepare?.(child);
      await sleep(idleMs);
      out.push(rssKiB(child.pid));
    } finally {
      await child.close();
    }
  }
  return out;
}

/** A bare `node` that behaves like a launched server (the RSS baseline). */
export const BARE_NODE = `process.stdout.write(JSON.stringify({ url: '', pid: process.pid }) + '\\n');
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;

/** A temp folder removed when this process ends, also on Ctrl-C or a closed stdout (children exit on stdin end). */
export function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.once('SIGINT', () => process.exit(130));
  process.stdout.once('error', () => process.exit(1));
  return dir;
}
