/**
 * The rehearsal's nodes: one child process each (`couchmesh node --data DIR`, the embedded node's
 * own command) on its own data folder, so a crash is a real SIGKILL and the restart reads the same
 * storage (a `_bulk_docs` is one SQLite transaction, WAL + synchronous=FULL: what a node acked
 * survives). The admin password reaches it through COUCHMESH_ADMIN, never its argv; children
 * still running when this process exits are killed with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { userError } from '../core/errors.ts';

export interface ChildNode {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** SIGKILL; the URL then refuses connections */
  kill(): Promise<void>;
  /** started again on the same port and data folder */
  restart(): Promise<void>;
  readonly down: boolean;
  close(): Promise<void>;
}

// the CLI's entry: .ts from source (run through tsx), .js from dist
const TS = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`../cli/main.${TS ? 'ts' : 'js'}`, import.meta.url).pathname;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

function spawnChild(
  dir: string,
  port: number,
  password: string,
): Promise<{ p: ChildProcess; url: string; port: number }> {
  const args = ['node', '--port', String(port), '--data', dir, '--log-level', 'error'];
  const p = spawn(process.execPath, [...(TS ? ['--import', 'tsx'] : []), ENTRY, ...args], {
    env: { ...process.env, COUCHMESH_ADMIN: `admin:${password}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(p);
  p.once('exit', () => running.delete(p));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    p.stderr?.on('data', (d) => {
      err = (err + String(d)).slice(-2000);
    });
    p.stdout?.on('data', (d) => {
      out += String(d);
      // `couchmesh node listening on http://127.0.0.1:PORT (data in …)`
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) resolve({ p, url: m[1] as string, port: Number(m[2]) });
    });
    p.once('exit', (code) =>
      reject(userError('E_REHEARSE', `an embedded node exited (${code}) before listening: ${err.trim()}`)),
    );
  });
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once('exit', () => r()));

/** A node that can be killed and started again on its port: `start` (re)starts it, `stop` kills or closes it. */
function restartable<R extends { url: string; port: number }>(
  name: string,
  first: R,
  start: (port: number) => Promise<R>,
  stop: { kill(r: R): Promise<void>; close(r: R): Promise<void> },
): ChildNode {
  let cur = first;
  let down = false;
  const self: ChildNode = {
    name,
    url: first.url,
    port: first.port,
    get down() {
      return down;
    },
    async kill() {
      down = true;
      await stop.kill(cur);
    },
    async restart() {
      cur = await start(self.port);
      down = false;
    },
    close: () => (down ? Promise.resolve() : stop.close(cur)),
  };
  return self;
}

export async function startChildNode(name: string, root: string, password: string): Promise<ChildNode> {
  const dataDir = join(root, name);
  const start = (port: number) => spawnChild(dataDir, port, password);
  const signal = (sig: NodeJS.Signals) => async (c: { p: ChildProcess }) => {
    if (c.p.exitCode === null && c.p.signalCode === null) c.p.kill(sig);
    await exited(c.p);
  };
  type Child = Awaited<ReturnType<typeof start>>;
  return restartable<Child>(name, await start(0), start, {
    kill: signal('SIGKILL'),
    close: signal('SIGTERM'),
  });
}

/** src/node's `startNode`, on disk: the front end or a test passes it (operations sit below the node). */
export type StartDiskNode = (o: {
  port: number;
  dataDir: string;
  admins: Record<string, string>;
}) => Promise<{ url: string; port: number; close(): Promise<void> }>;

/**
 * A node in this process on its own data folder (tests: no process start-up per node). Its crash
 * is a close (the server and its files closed at once), not a SIGKILL; the restart reopens the
 * same folder on the same port.
 */
export async function startInProcessNode(
  name: string,
  root: string,
  password: string,
  start: StartDiskNode,
): Promise<ChildNode> {
  const dataDir = join(root, name);
  const admins = { admin: password };
  const run = (port: number) => start({ port, dataDir, admins });
  const close = (n: { close(): Promise<void> }) => n.close();
  return restartable<Awaited<ReturnType<StartDiskNode>>>(name, await run(0), run, { kill: close, close });
}
