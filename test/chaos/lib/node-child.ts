// One embedded node on disk in its own process, so the kill -9 scenarios can SIGKILL it (no close,
// no flush) and start it again on the same data folder and port. Prints `{"url":…,"port":…}` once
// it listens.
//
//   CHAOS_PASSWORD=… node --import tsx test/chaos/lib/node-child.ts DATA_DIR PORT
import { startNode } from '../../../src/node/index.ts';

const [dataDir, port] = [process.argv[2] as string, Number(process.argv[3] ?? 0)];
const node = await startNode({ port, dataDir, admins: { admin: process.env.CHAOS_PASSWORD as string } });
process.stdout.write(`${JSON.stringify({ url: node.url, port: node.port })}\n`);
process.on('SIGTERM', () => void node.close().then(() => process.exit(0)));
