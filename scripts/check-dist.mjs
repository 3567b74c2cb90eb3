#!/usr/bin/env node
// Fails when the published build would ship a test-only module. Builds with tsconfig.build.json into
// a temporary folder (never ./dist) and looks at every emitted file: tsc's `exclude` only trims the
// root set, so a shipped module importing a test helper would drag the helper into dist; this catches
// that as well as a broken exclude.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Keep in step with tsconfig.build.json's exclude and .dependency-cruiser.cjs's test-only paths.
const TEST_ONLY = [
  /\.test\.js(\.map)?$/,
  /(^|\/)test-support\.js/,
  /(^|\/)testing(\.js|\/)/,
  /(^|\/)fixtures\//,
];

const out = mkdtempSync(join(tmpdir(), 'couchmesh-dist-'));
try {
  const tsc = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', out],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) {
    console.error('check-dist: the build failed');
    process.exit(1);
  }
  const emitted = readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(out, join(e.parentPath ?? e.path, e.name)));
  const bad = emitted.filter((p) => TEST_ONLY.some((re) => re.test(p)));
  if (bad.length) {
    console.error(`check-dist: the build would ship ${bad.length} test-only file(s):\n  ${bad.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-dist: ${emitted.length} files emitted, none test-only`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
