// FAILOVER (#15) benchmark: on three embedded nodes (n3, n4, relay r; the n3--n4 link through a
// fault proxy, proxy mode, k = m = 3, a poll every 150 ms; the harness of test/failover), RUNS
// times: degrade n3->n4 and write one doc on n3 -> time until it is visible on n4 (through the
// relay); heal -> time until the router routes n3->n4 direct again. Prints min / median / max in ms
// and in polls. Canary samples are injected, one per poll (the canary loop is not wired yet).
import { loadavg } from 'node:os';
import { RouterWorld } from '../test/failover/router-harness.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { median } from './lib/format.ts';

const RUNS = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 20);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median =
    s.length % 2 ? s[(s.length - 1) / 2] : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
  return `min ${s[0]?.toFixed(0)} / median ${median?.toFixed(0)} / max ${s[s.length - 1]?.toFixed(0)}`;
};

const w = new RouterWorld();
await w.start('proxy');
w.startController();
await w.waitPolls(3);
const reroute: number[] = [];
const reroutePolls: number[] = [];
const heal: number[] = [];
const healPolls: number[] = [];
let docs = await w.count('n4');
try {
  for (let i = 0; i < RUNS; i++) {
    const mark = w.events.length;
    const t0 = performance.now();
    const p0 = w.setLink('bad');
    await w.mesh.write('n3', `run${i}`, 1);
    docs++;
    await w.reaches('n4', docs);
    reroute.push(performance.now() - t0);
    reroutePolls.push((await w.routed('relayed', mark)) - p0);
    const mark2 = w.events.length;
    const t1 = performance.now();
    const p1 = w.setLink('good');
    const at = await w.routed('direct', mark2);
    heal.push(performance.now() - t1);
    healPolls.push(at - p1);
    await w.waitPolls(2);
  }
} finally {
  await w.close();
}
console.log(`runs: ${RUNS} (k = m = 3, poll 150 ms, proxy mode)`);
console.log(`degradation -> polls to the route: ${stats(reroutePolls)}`);
console.log(`heal -> polls to direct:           ${stats(healPolls)}`);
console.log(`heal -> direct again (ms):          ${stats(heal)}`);
console.log(`degradation -> data on n4 via the relay (ms): ${stats(reroute)}`);
emitFigures({
  bench: 'failover',
  load: loadavg(),
  figures: [
    fig({ figure: 'degradation -> data on n4 via the relay (median)', ours: median(reroute), unit: 'ms' }),
    fig({ figure: 'degradation -> polls to the route (median)', ours: median(reroutePolls), unit: 'polls' }),
    fig({ figure: 'heal -> direct again (median)', ours: median(heal), unit: 'ms' }),
    fig({ figure: 'heal -> polls to direct (median)', ours: median(healPolls), unit: 'polls' }),
  ],
});
