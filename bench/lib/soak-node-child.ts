// One embedded node in its own process, data on disk (so its memory is its own and does not hold the
// documents), for bench/soak.ts. Prints `{"url":…,"pid":…}` once listening; answers every `stats` line
// on stdin with `{"stats":true,"heapUsed":…}` (the live heap after a full GC: run it with --expose-gc);
// closes the node when stdin ends or on SIGTERM.
//
//   node --expose-gc --import tsx bench/lib/soak-node-child.ts DATA_DIR
import { createInterface } from 'node:readline';
import { startNode } from '../../src/node/index.ts';

const node = await startNode({ port: 0, dataDir: process.argv[2] as string });
process.stdout.write(`${JSON.stringify({ url: node.url, pid: process.pid })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (l) => {
  if (l.trim() !== 'stats') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ stats: true, heapUsed: process.memoryUsage().heapUsed })}\n`);
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await node.close();
  process.exit(0);
};
lines.on('close', stop);
process.on('SIGTERM', stop);
