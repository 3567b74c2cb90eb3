// Launcher for tests that need the embedded node in a child process (so it can be SIGKILLed):
//
//   node --import tsx test/node/node-process.ts DATA_DIR
//
// Starts a node on a free port with `DATA_DIR` as its data folder and the admin admin:admin, then
// prints one line `{"url":"http://127.0.0.1:PORT"}` on stdout. SIGTERM closes it cleanly.
import { startNode } from '../../src/node/index.ts';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: node --import tsx test/node/node-process.ts DATA_DIR\n');
  process.exit(2);
}
const node = await startNode({ port: 0, dataDir, admins: { admin: 'admin' } });
process.stdout.write(`${JSON.stringify({ url: node.url })}\n`);
process.once('SIGTERM', () => {
  void node.close().then(() => process.exit(0));
});
