// The controller (controller-child.ts) as a child process for the controller-kill runs: started on a mesh file and a state
// folder, SIGKILLed (no close, no flush: the store is SQLite WAL + synchronous=FULL, the nodes hold
// the rest), started again on the same folder. Its action log is read from the store afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const CHILD = new URL('./controller-child.ts', import.meta.url).pathname;

export interface ActionRow {
  id: string;
  loop: string;
  kind: string;
  target: string;
  outcome: string;
  detail: string;
}

export class ControllerProc {
  #child: ChildProcess | undefined;
  out = '';

  constructor(
    readonly file: string,
    readonly dir: string,
    readonly password: string,
  ) {}

  get stateDir(): string {
    return join(this.dir, 'state');
  }

  start(): void {
    this.out = '';
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, this.file, this.stateDir], {
      env: { ...process.env, COUCHMESH_PASSWORD: this.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: unknown) => {
      this.out = (this.out + String(d)).slice(-200_000);
    };
    p.stdout?.on('data', keep);
    p.stderr?.on('data', keep);
    this.#child = p;
  }

  /** SIGKILL, resolved once the process is gone. */
  async kill(): Promise<void> {
    const p = this.#child;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  /** Whether every named loop logged its first pass since the last start. */
  passed(...loops: string[]): boolean {
    return loops.every((l) => this.out.includes(`loop ${l}: first pass done`));
  }

  /** SIGTERM (a clean stop), resolved with the exit code. */
  async stop(): Promise<number | null> {
    const p = this.#child;
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
    const code = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    p.kill('SIGTERM');
    return code;
  }

  /** The store's action rows (none before the store exists). */
  actions(): ActionRow[] {
    const path = join(this.stateDir, 'controller.sqlite');
    if (!existsSync(path)) return [];
    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare('SELECT id, loop, kind, target, outcome, json FROM actions ORDER BY at')
        .all() as Array<ActionRow & { json: string }>;
      return rows.map(({ json, ...r }) => ({
        ...r,
        detail: String((JSON.parse(json) as { detail?: string }).detail ?? ''),
      }));
    } finally {
      db.close();
    }
  }
}
