// N embedded nodes (in memory) in ONE child process, so the process measuring something else (the
// controller, the poller) does not pay for them. Prints `{"url":…,"urls":[…],"pid":…}` once all
// listen; closes them when stdin ends or on SIGTERM.
//
//   node --import tsx bench/lib/nodes-child.ts N
import { startNode } from '../../src/node/index.ts';

const n = Number(process.argv[2] ?? 20);
const nodes: Array<Awaited<ReturnType<typeof startNode>>> = [];
for (let i = 0; i < n; i++) nodes.push(await startNode({ port: 0, inMemory: true }));
const urls = nodes.map((x) => x.url);
process.stdout.write(`${JSON.stringify({ url: urls[0], urls, pid: process.pid })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(nodes.map((x) => x.close()));
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
