// Seeded writers: interactive writes any client makes (read the doc on a node, PUT it with the rev
// that node has, now and then DELETE it; batches of new docs through `_bulk_docs`), on a small pool
// of shared ids so writes on two sides of a cut make conflicts. A write counts as acknowledged only
// when the node answered 201/202 with its rev (CouchDB's ack); a refused or interrupted one does not.
import { type Random, seededRandom } from '../../../src/core/random.ts';
import {
  int,
  type Ack as MeshAck,
  type WriteTally as MeshTally,
  newTally as meshTally,
  POOL,
} from '../../../src/rehearse/writers.ts';
import { type ChaosWorld, DB, type Json } from './world.ts';

// The acks, the tally and the pool are the rehearsal's (src/rehearse/writers.ts), without `db`: the
// chaos world writes one database.
export type Ack = Omit<MeshAck, 'db'>;
export type WriteTally = MeshTally<Ack>;
export const newTally = (): WriteTally => meshTally<Ack>();
export { int };

export const pick = <T>(r: Random, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

/** One write decided by `r` on `node`; what happened goes into `t`. */
export async function writeOnce(
  w: ChaosWorld,
  node: string,
  r: Random,
  t: WriteTally,
  tag: string,
): Promise<void> {
  const roll = r.float();
  const id = `doc-${String(int(r, POOL)).padStart(2, '0')}`;
  const value = int(r, 1_000_000);
  // lww's timestamp: drawn from the seed (distinct writers rarely tie; a tie goes to CouchDB's winner)
  const updated_at = new Date(1_700_000_000_000 + int(r, 1e9)).toISOString();
  try {
    if (roll < 0.15) {
      const docs = Array.from({ length: 5 }, (_, i) => ({
        _id: `bulk-${tag}-${i}`,
        by: node,
        value,
        updated_at,
      }));
      const res = await w.request(node, 'POST', `/${DB}/_bulk_docs`, { docs });
      if (res.status !== 201) return void t.refused++;
      for (const x of res.body as Json[])
        if (x.ok) t.acked.push({ node, id: x.id, rev: x.rev, deleted: false });
        else t.refused++;
      return;
    }
    const cur = await w.request(node, 'GET', `/${DB}/${id}`);
    const rev = cur.status === 200 ? (cur.body._rev as string) : undefined;
    const res =
      rev && roll < 0.25
        ? await w.request(node, 'DELETE', `/${DB}/${id}?rev=${rev}`)
        : await w.request(node, 'PUT', `/${DB}/${id}`, {
            ...(rev ? { _rev: rev } : {}),
            by: node,
            value,
            tag,
            updated_at,
          });
    if (res.status === 201 || res.status === 200 || res.status === 202)
      t.acked.push({ node, id, rev: res.body.rev, deleted: rev !== undefined && roll < 0.25 });
    else t.refused++;
  } catch {
    t.failed++;
  }
}

/** `count` writes in sequence on each of `nodes` (the nodes concurrently). */
export async function writeBurst(
  w: ChaosWorld,
  nodes: readonly string[],
  count: number,
  r: Random,
  t: WriteTally,
  step: string,
): Promise<void> {
  // the choices are drawn before any I/O, so the schedule depends on the seed only
  const plans = nodes.map((n) => ({ n, seeds: Array.from({ length: count }, () => int(r, 2 ** 31)) }));
  await Promise.all(
    plans.map(async ({ n, seeds }) => {
      for (const [i, s] of seeds.entries()) await writeOnce(w, n, seededRandom(s), t, `${step}-${n}-${i}`);
    }),
  );
}
