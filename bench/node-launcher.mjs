// Starts one embedded node in its own process for bench/node-ingest.ts (ingest targets, idle RSS, profile).
//
//   node --import tsx bench/node-launcher.mjs src/node/index.ts  (--in-memory | --data DIR)
//   node              bench/node-launcher.mjs dist/node/index.js (--in-memory | --data DIR)
//
// The module path (relative to the repo root, or absolute) is what gets compared: the TypeScript sources
// under tsx, or the compiled `dist/` build. Prints one JSON line `{"url":…,"pid":…}` once listening, then
// stays idle. Exits (closing the node, so `--cpu-prof` can write its profile) when stdin ends or on SIGTERM.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [modulePath, mode, dir] = process.argv.slice(2);
if (!modulePath || (mode !== '--in-memory' && !(mode === '--data' && dir))) {
  process.stderr.write('usage: node-launcher.mjs <module> (--in-memory | --data DIR)\n');
  process.exit(2);
}
const file = isAbsolute(modulePath) ? modulePath : resolve(root, modulePath);
const { startNode } = await import(pathToFileURL(file).href);
const node = await startNode(
  mode === '--in-memory' ? { port: 0, inMemory: true } : { port: 0, dataDir: dir },
);
process.stdout.write(`${JSON.stringify({ url: node.url, pid: process.pid })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await node.close();
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
