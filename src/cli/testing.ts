import type { Output } from './boundary.ts';

/** An Output that records what a command printed (for CLI tests). */
export function captureOutput(): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    out: (t: string) => {
      o.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err: (t: string) => {
      o.stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
  };
  return o;
}
