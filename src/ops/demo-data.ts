/**
 * The demo's data: sample sensor readings written on the first node, and the wait until every node
 * has them all (read back with `POST /{db}/_all_docs {keys}`, as any CouchDB client would).
 */
import type { Clock } from '../core/clock.ts';
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import type { DemoArrival, DemoNode } from './demo-types.ts';

/** Sensor readings stamped `at` (ISO time to the second): ids `station-N:<stamp>`. */
export function sampleReadings(count: number, at: Date) {
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z');
  return Array.from({ length: count }, (_, i) => ({
    _id: `station-${i + 1}:${stamp}`,
    type: 'reading',
    station: `station-${i + 1}`,
    temperature_c: Math.round((18 + i * 0.7) * 10) / 10,
    humidity_pct: 40 + i * 3,
    at: stamp,
  }));
}

/** How often a node is asked whether the readings arrived. */
const PROBE_MS = 5;

/** Probes until it yields a value; a failed probe counts as "not yet". */
async function until<T>(
  what: string,
  clock: Clock,
  ms: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const end = clock.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (clock.now() > end)
      throw userError(
        'E_DEMO_TIMEOUT',
        `${what} did not happen within ${ms} ms`,
        'run the demo again; if it persists, please report it',
      );
    await clock.sleep(PROBE_MS);
  }
}

/** Waits until every node reads every sample; ms are counted from `t0` (the write). */
export function waitForArrivals(
  o: { db: string; samples: readonly string[]; t0: number; clock: Clock; timeoutMs: number },
  nodes: readonly DemoNode[],
  clients: readonly CouchClient[],
): Promise<DemoArrival[]> {
  return Promise.all(
    nodes.map(async (n, i) => {
      const c = clients[i] as CouchClient;
      const ms = await until(`the readings reaching ${n.name}`, o.clock, o.timeoutMs, async () => {
        const res = await c.post<{ rows: Array<{ error?: string; value?: { rev: string } }> }>(
          `/${o.db}/_all_docs`,
          { keys: o.samples },
        );
        return res.rows.every((row) => row.value && !row.error) ? o.clock.now() - o.t0 : undefined;
      });
      return { node: n.name, ms: Math.round(ms) };
    }),
  );
}
