// The fleet simulator as a program (bench/lib/fleet-sim.ts): N simulated CouchDB 3.5.0 nodes on
// N loopback ports, in this one process, until stdin ends or SIGTERM / SIGINT.
//
//   node --import tsx bench/fleet-sim.ts [--nodes=1000] [--fanout=5] [--dbs=sensors]
//        [--crashing=0.01] [--missing=0] [--server=shared|per-port]
//        [--cluster-nodes=3 [--cluster-node=n1]] (that node answers as a 3-member CouchDB cluster)
//
// Prints one JSON line on stdout once every port listens: {"url": <control URL>, "pid", "nodes"}
// (the shape bench/lib/process.ts spawnChild waits for). Its mesh.yaml:
//   curl -s <url>/_sim/mesh.yaml > mesh.yaml && couchmesh status -f mesh.yaml
// 1,000 nodes need `ulimit -n` >= ~4,100 (a listener per node, ~3 connections per node polled).
import { fdLimit, fdsNeeded, startFleetSim } from './lib/fleet-sim.ts';

const flag = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1];
const nodes = Number(flag('nodes') ?? 1000);
const limit = fdLimit();
if (limit !== null && limit < fdsNeeded(nodes))
  process.stderr.write(
    `warning: ulimit -n is ${limit}; ${nodes} simulated nodes may need ${fdsNeeded(nodes)} (raise it: ulimit -n ${fdsNeeded(nodes)})\n`,
  );
const sim = await startFleetSim({
  nodes,
  fanout: Number(flag('fanout') ?? 5),
  dbs: (flag('dbs') ?? 'sensors').split(','),
  crashing: Number(flag('crashing') ?? 0),
  missing: Number(flag('missing') ?? 0),
  server: flag('server') === 'per-port' ? 'per-port' : 'shared',
  ...(flag('cluster-nodes') ? { clusterNodes: Number(flag('cluster-nodes')) } : {}),
  ...(flag('cluster-node') ? { clusterNode: flag('cluster-node') } : {}),
});
process.stdout.write(`${JSON.stringify({ url: sim.controlUrl, pid: process.pid, nodes })}\n`);
process.stderr.write(
  `fleet simulator: ${nodes} nodes (${sim.urls[0]} … ${sim.urls.at(-1)}), ${sim.mesh.links.length * 2} directions; ` +
    `mesh.yaml at ${sim.controlUrl}/_sim/mesh.yaml\n`,
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sim.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
