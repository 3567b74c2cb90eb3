#!/usr/bin/env node
// `npm run lint:deps`: layers and cycles. First dependency-cruiser with .dependency-cruiser.cjs (module
// cycles, the layer order, what may import src/node, test support, CLI commands); then the folder
// cycles of shipped code, which dependency-cruiser's `scope: 'folder'` rules cannot see without the
// tests (a test beside src/couch may start a node, which is no cycle of the product): two folders of
// src whose shipped modules import each other (observe <-> health) are one concern in two places.
// Exit code non-zero when either finds anything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// web/ (the dashboard) joins once it exists.
const ROOTS = ['src', 'web', 'test', 'bench', 'scripts'].filter((r) => existsSync(r));
// The package's exports map hides its bin; npm runs scripts from the package root.
const BIN = join(process.cwd(), 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = ['--config', '.dependency-cruiser.cjs'];
// Keep in step with TEST_FILE / TEST_ONLY in .dependency-cruiser.cjs.
const TEST_ONLY = /\.test\.ts$|\/(test-support|testing)\.ts$|\/(testing|fixtures)\//;

const rules = spawnSync(process.execPath, [BIN, ...CONFIG, ...ROOTS], { stdio: 'inherit' });

const json = spawnSync(process.execPath, [BIN, ...CONFIG, '--output-type', 'json', 'src'], {
  encoding: 'utf8',
  maxBuffer: 512 << 20,
});
if (json.status === null || !json.stdout.trim()) {
  console.error(`lint-deps: dependency-cruiser gave no graph: ${json.stderr}`);
  process.exit(1);
}
const folderOf = (path) => path.match(/^src\/[^/]+/)?.[0];
const shipped = (path) => path.startsWith('src/') && !TEST_ONLY.test(path);

/** folder -> folder -> one example import (from module -> to module) */
const edges = new Map();
for (const m of JSON.parse(json.stdout).modules) {
  if (!shipped(m.source)) continue;
  for (const d of m.dependencies) {
    const [a, b] = [folderOf(m.source), folderOf(d.resolved)];
    if (!shipped(d.resolved) || !a || !b || a === b) continue;
    if (!edges.has(a)) edges.set(a, new Map());
    if (!edges.get(a).has(b)) edges.get(a).set(b, `${m.source} -> ${d.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of two folders or more is a folder cycle.
const index = new Map();
const low = new Map();
const stack = [];
const cycles = [];
let next = 0;
function visit(v) {
  index.set(v, next);
  low.set(v, next++);
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    component.push(w);
  } while (w !== v);
  if (component.length > 1) cycles.push(component.sort());
}
for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);

for (const folders of cycles) {
  console.error(`\n  error no-folder-cycles: ${folders.join(', ')} import each other (shipped code):`);
  for (const a of folders)
    for (const [b, example] of edges.get(a) ?? []) if (folders.includes(b)) console.error(`      ${example}`);
}
if (cycles.length) console.error(`\nx ${cycles.length} folder cycle(s) in shipped code.`);
else console.log('no folder cycles in shipped code');
process.exit(rules.status !== 0 || cycles.length ? 1 : 0);
