// Starts one embedded node in its own process for the benchmarks (ingest targets, replication
// endpoints, idle RSS, profiles).
//
//   node --import tsx bench/node-launcher.mjs src/node/index.ts  (--in-memory | --data DIR) [--admin NAME:PASSWORD]
//   node              bench/node-launcher.mjs dist/node/index.js (--in-memory | --data DIR) [--admin NAME:PASSWORD]
//
// The module path (relative to the repo root, or absolute) is what gets compared: the TypeScript sources
// under tsx, or the compiled `dist/` build. Prints one JSON line `{"url":…,"pid":…}` once listening, then
// stays idle. Exits (closing the node, so `--cpu-prof` can write its profile) when stdin ends or on SIGTERM.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const adminAt = argv.indexOf('--admin');
const admin = adminAt >= 0 ? argv.splice(adminAt, 2)[1] : undefined;
const [modulePath, mode, dir] = argv;
if (
  !modulePath ||
  (mode !== '--in-memory' && !(mode === '--data' && dir)) ||
  (adminAt >= 0 && !admin?.includes(':'))
) {
  process.stderr.write(
    'usage: node-launcher.mjs <module> (--in-memory | --data DIR) [--admin NAME:PASSWORD]\n',
  );
  process.exit(2);
}
const file = isAbsolute(modulePath) ? modulePath : resolve(root, modulePath);
const { startNode } = await import(pathToFileURL(file).href);
// with --admin the node authenticates like a real one (replication endpoints log in as CouchDB's replicator does)
const admins = admin
  ? { [admin.slice(0, admin.indexOf(':'))]: admin.slice(admin.indexOf(':') + 1) }
  : undefined;
const node = await startNode({
  port: 0,
  ...(mode === '--in-memory' ? { inMemory: true } : { dataDir: dir }),
  ...(admins ? { admins } : {}),
});
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
