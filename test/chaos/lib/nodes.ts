// The chaos world's nodes: embedded nodes in this process (in memory, for the partition runs) or one
// child process each on its own data folder (for kill -9: SIGKILL skips every close and flush, as
// a power cut would; the node is started again on the same folder and port).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startNode } from '../../../src/node/index.ts';

export interface ChaosNode {
  readonly name: string;
  url: string;
  port: number;
  /** SIGKILL (a child) or close (in process); the URL then refuses connections */
  kill(): Promise<void>;
  /** started again on the same port (and data folder) */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const CHILD = new URL('./node-child.ts', import.meta.url).pathname;

export async function inProcessNode(name: string, password: string): Promise<ChaosNode> {
  const node = await startNode({ port: 0, inMemory: true, admins: { admin: password } });
  const self: ChaosNode = {
    name,
    url: node.url,
    port: node.port,
    kill: () => node.close(),
    async restart() {
      throw new Error(`${name}: an in-memory node cannot be restarted with its data`);
    },
    close: () => node.close(),
  };
  return self;
}

/** Spawns node-child.ts and resolves with its first line (`{url, port}`). */
function spawnChild(
  dir: string,
  port: number,
  password: string,
): Promise<{ p: ChildProcess; port: number; url: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(port)], {
    env: { ...process.env, CHAOS_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    p.stderr?.on('data', (d) => {
      err += String(d);
    });
    p.stdout?.on('data', (d) => {
      out += String(d);
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const { url, port: got } = JSON.parse(out.slice(0, nl)) as { url: string; port: number };
        resolve({ p, url, port: got });
      }
    });
    p.once('exit', (code) =>
      reject(new Error(`node child exited (${code}) before listening: ${err.slice(-2000)}`)),
    );
  });
}

export async function childNode(name: string, dir: string, password: string): Promise<ChaosNode> {
  const dataDir = join(dir, name);
  let child = await spawnChild(dataDir, 0, password);
  const exited = (p: ChildProcess) =>
    p.exitCode !== null || p.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => p.once('exit', () => r()));
  const self: ChaosNode = {
    name,
    url: child.url,
    port: child.port,
    async kill() {
      child.p.kill('SIGKILL');
      await exited(child.p);
    },
    async restart() {
      child = await spawnChild(dataDir, self.port, password);
    },
    async close() {
      if (child.p.exitCode === null && child.p.signalCode === null) {
        child.p.kill('SIGTERM');
        await exited(child.p);
      }
    },
  };
  return self;
}
