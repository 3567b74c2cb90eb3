// Formatting and machine notes shared by the benchmark programs.
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
export const int = (x: number) => Math.round(x).toLocaleString('en-US');
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
export const mib = (kib: number) => (kib / 1024).toFixed(1);
export const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** The machine's load, so that figures from a busy machine are read as such. */
export function loadNote(): string {
  const [l1 = 0, l5 = 0] = loadavg();
  const n = cpus().length;
  const busy = l1 > n / 2;
  return `load average ${l1.toFixed(2)} (1 min), ${l5.toFixed(2)} (5 min) on ${n} CPUs${busy ? ' — BUSY: absolute figures are unreliable; ratios (interleaved) and CPU/doc hold up better' : ''}`;
}

export function fsOf(path: string): string {
  const real = realpathSync(path);
  let best = { mount: '', text: 'unknown filesystem' };
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [dev, mount, type] = line.split(' ');
    if (!dev || !mount || !type) continue;
    if (
      (real === mount || real.startsWith(mount === '/' ? '/' : `${mount}/`)) &&
      mount.length >= best.mount.length
    )
      best = { mount, text: `${type} on ${dev}` };
  }
  return best.text;
}
