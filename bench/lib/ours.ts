// Which build of the embedded node a benchmark measures ("ours"): compiled code, as bin/couchmesh.js runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Child, ROOT, spawnChild } from './process.ts';

export const SRC_MODULE = 'src/node/index.ts';
export const DIST_MODULE = 'dist/node/index.js';

/**
 * Whether `dist/node` is a build of the current `src/node`: every non-test .ts there has a .js at least as new.
 * (A build older than the sources would measure old code; then the sources run under tsx instead.)
 */
export function distStatus(): { fresh: boolean; why: string } {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  if (!existsSync(join(ROOT, DIST_MODULE))) return { fresh: false, why: `${DIST_MODULE} missing` };
  for (const ts of walk(join(ROOT, 'src/node'))) {
    if (!ts.endsWith('.ts') || ts.endsWith('.test.ts') || ts.includes('/testing/')) continue;
    const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), ts)).replace(/\.ts$/, '.js');
    if (!existsSync(js)) return { fresh: false, why: `${relative(ROOT, js)} missing` };
    if (statSync(js).mtimeMs < statSync(ts).mtimeMs)
      return { fresh: false, why: `${relative(ROOT, ts)} is newer than its build` };
  }
  return { fresh: true, why: 'dist/node is newer than every src/node file' };
}

/** The code "ours" runs: a module for the launcher, and whether it needs tsx. */
export interface Ours {
  tsx: boolean;
  /** repo-relative or absolute path of the module exporting startNode */
  module: string;
  /** how it is printed */
  label: string;
  why: string;
}

/** The sources under tsx (what the test suite runs). */
export const SOURCES = { tsx: true, module: SRC_MODULE } as const;

/**
 * `--tsx`: the sources under tsx. `--dist`: dist/ as it is. Default: dist/ when it is a build of the current
 * sources, else a build of them made now with tsc (tsconfig.build.json) into `tmp` (deleted with it), so a
 * stale dist/ is never measured by mistake. tsc type errors (others editing) are reported, not fatal.
 */
export function prepareOurs(tmp: string, args: readonly string[]): Ours {
  const tsxOurs: Ours = { tsx: true, module: SRC_MODULE, label: `${SRC_MODULE} under tsx`, why: '' };
  const distOurs: Ours = { tsx: false, module: DIST_MODULE, label: `compiled ${DIST_MODULE}`, why: '' };
  if (args.includes('--tsx')) return { ...tsxOurs, why: 'forced by --tsx' };
  const b = distStatus();
  if (args.includes('--dist')) {
    if (!existsSync(join(ROOT, DIST_MODULE)))
      throw new Error(`--dist: ${DIST_MODULE} missing; npm run build`);
    return { ...distOurs, why: b.fresh ? b.why : `forced by --dist although ${b.why}` };
  }
  if (b.fresh) return { ...distOurs, why: b.why };
  // a private build: ESM needs {"type":"module"}, and packages resolve through a node_modules link
  const out = join(tmp, 'build');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const module = join(out, 'node/index.js');
  if (!existsSync(module)) throw new Error(`tsc emitted no ${module}:\n${tsc.stdout}${tsc.stderr}`);
  const errors = (tsc.stdout.match(/error TS\d+/g) ?? []).length;
  return {
    tsx: false,
    module,
    label: 'current src/ compiled now by tsc into the temp folder',
    why: `${b.why}${errors ? `; tsc reported ${errors} type error(s) elsewhere and emitted anyway` : ''}`,
  };
}

/** The launcher script that starts one node in its own process (its path relative to the repo). */
export const LAUNCHER = 'bench/node-launcher.mjs';

/** Starts "ours" in its own process: `args` go to the launcher (e.g. `--data DIR`, `--admin U:P`). */
export function launchOurs(
  code: Pick<Ours, 'tsx' | 'module'>,
  args: string[],
  execArgv: string[] = [],
): Promise<Child> {
  return spawnChild([...(code.tsx ? ['--import', 'tsx'] : []), ...execArgv, LAUNCHER, code.module, ...args]);
}
