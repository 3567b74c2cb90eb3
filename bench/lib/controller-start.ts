// The controller in its own process (bench/lib/controller-child.ts) for the long-running benchmarks
// (controller-run, soak), and the wait until it has applied the mesh: every direction running.
import { join } from 'node:path';
import { type Child, sleep, spawnChild } from './process.ts';
import { statsChannel } from './stats-channel.ts';

/** What every controller-child `stats` answer holds (controller-run reads more of it). */
export interface ControllerStats {
  heapUsed: number;
  running: number;
  directions: number;
}

/** Starts the controller on `file`, its state and log under `dir`. */
export async function startControllerChild<T extends ControllerStats>(
  file: string,
  dir: string,
): Promise<{ child: Child; stats: () => Promise<T> }> {
  const child = await spawnChild([
    '--expose-gc',
    '--import',
    'tsx',
    'bench/lib/controller-child.ts',
    file,
    join(dir, 'state'),
    join(dir, 'controller.log'),
  ]);
  return { child, stats: statsChannel<T>(child) };
}

/** Waits (up to `timeoutMs`) until the controller runs every direction; the last stats and the wait. */
export async function untilAllRunning<T extends ControllerStats>(
  stats: () => Promise<T>,
  timeoutMs = 180_000,
): Promise<{ last: T; ms: number }> {
  const t0 = Date.now();
  let s = await stats();
  while (!(s.directions > 0 && s.running === s.directions) && Date.now() - t0 < timeoutMs) {
    await sleep(1000);
    s = await stats();
  }
  return { last: s, ms: Date.now() - t0 };
}
