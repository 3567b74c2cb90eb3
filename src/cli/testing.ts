import type { Output } from './boundary.ts';
import { main } from './main.ts';

/** What a command printed, for CLI tests. */
export interface Captured extends Output {
  stdout: string;
  stderr: string;
  readonly all: string;
}

/** An Output that records what a command printed (for CLI tests). */
export function captureOutput(): Captured {
  const o: Captured = {
    stdout: '',
    stderr: '',
    get all() {
      return o.stdout + o.stderr;
    },
    out: (t: string) => {
      o.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err: (t: string) => {
      o.stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
  };
  return o;
}

/** Runs the CLI with COUCHMESH_PASSWORD set for the call (as an operator's shell would); restores it after. */
export async function runCli(args: string[], password: string): Promise<{ code: number; o: Captured }> {
  const o = captureOutput();
  const before = process.env.COUCHMESH_PASSWORD;
  process.env.COUCHMESH_PASSWORD = password;
  try {
    return { code: await main(args, o), o };
  } finally {
    if (before === undefined) delete process.env.COUCHMESH_PASSWORD;
    else process.env.COUCHMESH_PASSWORD = before;
  }
}
