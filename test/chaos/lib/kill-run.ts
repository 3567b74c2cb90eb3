// One kill -9 run: the seed mesh's nodes as child processes on disk behind fault proxies, writers on
// every node, a neighbour's batch replicating into the victim and a large `_bulk_docs` on the
// victim in flight when it is SIGKILLed (a `_bulk_docs` is one SQLite transaction, WAL +
// synchronous=FULL, so an acked write must survive). The victim is started again on the same
// folder and port with its links cut, so what it holds right after the restart is only what it
// wrote itself: every write it acked before the kill must be there (durability). Then the links
// heal and the mesh invariants are checked.
import { seededRandom } from '../../../src/core/random.ts';
import { checkAcked, converge, planActions, presence, revisionsOn } from './invariants.ts';
import { judge, type RunResult } from './result.ts';
import { ChaosWorld, DB, type Json } from './world.ts';
import { int, newTally, pick, writeBurst } from './writers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function killRun(seed: number, o: { maxPasses?: number } = {}): Promise<RunResult> {
  const r = seededRandom(seed);
  const w = await new ChaosWorld().start({ processes: true });
  try {
    const nodes = w.topology.nodes;
    const victim = pick(r, nodes);
    const feeder = pick(
      r,
      nodes.filter((n) => n !== victim && w.linksOf(victim).some((l) => l.includes(n))),
    );
    const bulkDocs = 500 + int(r, 1500);
    const killAfterMs = int(r, 40);
    const downMs = int(r, 300);
    const log = [
      `victim ${victim}; ${feeder} writes 300 docs replicating into it; ${bulkDocs} docs _bulk_docs on ${victim}, SIGKILL ${killAfterMs} ms after both; down ${downMs} ms`,
    ];
    const tally = newTally();
    await writeBurst(w, nodes, 3, r, tally, 'warm');

    // writers on every node (the victim included) until the end: their own generator, so the
    // main schedule's draws do not depend on how many background writes happened
    const bgRandom = seededRandom(seed ^ 0x5bd1e995);
    let stop = false;
    const background = (async () => {
      for (let k = 0; !stop; k++) await writeBurst(w, nodes, 1, bgRandom, tally, `bg${k}`);
    })();

    const ack = (node: string) => (res: { status: number; body: Json }) => {
      if (res.status !== 201) return 'refused';
      for (const x of res.body as Json[])
        if (x.ok) tally.acked.push({ node, id: x.id, rev: x.rev, deleted: false });
      return 'answered';
    };
    const batch = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ _id: `${prefix}-${String(i).padStart(5, '0')}`, seed, i }));
    await w
      .request(feeder, 'POST', `/${DB}/_bulk_docs`, { docs: batch(`feed-${feeder}`, 300) })
      .then(ack(feeder));
    const big = w
      .request(victim, 'POST', `/${DB}/_bulk_docs`, { docs: batch(`big-${victim}`, bulkDocs) })
      .then(ack(victim), () => 'interrupted');
    await sleep(killAfterMs);
    await w.node(victim).kill();
    const ackedBefore = tally.acked.filter((a) => a.node === victim);
    log.push(
      `the victim's _bulk_docs: ${await big}; ${ackedBefore.length} writes acked by ${victim} before the kill`,
    );

    // started again with its links cut: only its own disk can hold its acked writes
    for (const l of w.linksOf(victim)) w.cut(l);
    await sleep(downMs);
    await w.node(victim).restart();
    const held = await revisionsOn(w, victim);
    const missing = ackedBefore.filter((a) => !presence(held, a));
    const extra = missing.length
      ? [
          `durability: ${missing.length} writes acked by ${victim} missing after kill -9 (${missing
            .slice(0, 3)
            .map((a) => a.id)
            .join(', ')})`,
        ]
      : [];
    w.healAll();
    await sleep(300);
    stop = true;
    await background;
    log.push('heal-all');
    const conv = await converge(w, o.maxPasses);
    const acks = conv.ok ? await checkAcked(w, tally.acked) : undefined;
    return judge('kill-9', seed, log, tally, conv, acks, await planActions(w), extra);
  } finally {
    await w.close();
  }
}
