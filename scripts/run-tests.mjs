#!/usr/bin/env node
// Runs node's built-in test runner over every *.test.ts below the given folders (default: src, test,
// scripts and bench (the benches' helpers); a file named instead of a folder is run as it is). Node 20's `--test` does not expand globs, so we collect the files here.
//
// Output: scripts/test-reporter.mjs (a line per file for up to 40 files, else a line per folder; every
// failure in full; a totals line). TEST_REPORTER=files forces a line per file.
// `--verbose` or TEST_REPORTER=tap gives node's raw TAP; TEST_REPORTER=spec (or dot) picks that
// built-in reporter; a `--test-reporter=...` of your own is passed through untouched.
// `--suffix=.fixture.ts` collects other files (the reporter's own test runs its fixtures that way,
// which the default walk never picks up).
// The exit code is node's: non-zero when any test fails or a file crashes outside a test.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('-'));
const verbose = args.includes('--verbose');
const suffixArg = args.find((a) => a.startsWith('--suffix='));
const suffix = suffixArg ? suffixArg.slice('--suffix='.length) : '.test.ts';
const extra = args.filter((a) => a.startsWith('-') && a !== '--verbose' && a !== suffixArg);

const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(suffix)) files.push(p);
  }
}
for (const r of roots.length ? roots : ['src', 'test', 'scripts', 'bench']) {
  if (statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

function reporterArgs() {
  if (extra.some((a) => a.startsWith('--test-reporter'))) return [];
  const chosen = verbose ? 'tap' : (process.env.TEST_REPORTER ?? 'compact');
  if (chosen === 'compact' || chosen === 'files') {
    const own = join(dirname(fileURLToPath(import.meta.url)), 'test-reporter.mjs');
    return [`--test-reporter=${own}`, '--test-reporter-destination=stdout'];
  }
  return [`--test-reporter=${chosen}`, '--test-reporter-destination=stdout'];
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A runner started from inside a test (the reporter's own test) must not believe it is a child of
// that outer run: node marks its children with NODE_TEST_CONTEXT.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;
// The compact reporter prints a line per file for small runs, a line per folder for the whole tree.
env.COUCHMESH_TEST_FILE_COUNT = String(files.length);
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporterArgs(), ...extra, ...files],
  { stdio: 'inherit', env },
);
process.exit(res.status ?? 1);
