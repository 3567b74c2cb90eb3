/**
 * The demo's partition scenario: cut the first node off (every one of its links goes through a
 * fault proxy, and a partitioned proxy holds the bytes as lost packets would), update the same
 * readings on both sides of the cut with different `updated_at`, heal, and watch the replications
 * carry both versions across: CouchDB keeps both as leaves of each document (`_conflicts`), and
 * the controller's resolver (last writer wins by `updated_at`) picks the later one, with an audit
 * entry per document. Every step is an event; the conflicts are read back as any client would
 * (`_all_docs?include_docs=true&conflicts=true`).
 */
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import type { DemoDeps, DemoNode, DemoRun } from '../ops/demo-types.ts';
import { clockOf } from '../ops/deps.ts';
import type { FaultProxy } from '../relay/fault-proxy.ts';
import type { ControllerHandle, ResolutionSummary } from './view.ts';

export type PartitionEvent =
  /** an interactive demo leaves time to open the dashboard first */
  | { type: 'partition-soon'; node: string; inMs: number }
  | { type: 'partition-cut'; node: string; links: string[] }
  | { type: 'partition-written'; node: string; docs: number; updated_at: string }
  | { type: 'partition-healed'; links: string[] }
  | { type: 'conflicts-appeared'; node: string; count: number }
  | {
      type: 'conflicts-resolved';
      node: string;
      count: number;
      audit_ids: string[];
      /** the side whose (later) write won */
      winner: string;
    };

export interface PartitionResult {
  /** the node cut off and the node written on the other side */
  sides: [string, string];
  written: number;
  /** most documents seen in conflict at once on the resolving node */
  appeared: number;
  resolved: ResolutionSummary[];
}

interface PartitionParts {
  run: DemoRun;
  controller: ControllerHandle;
  proxies: readonly FaultProxy[];
  links: readonly string[];
  clients: readonly CouchClient[];
  timeoutMs: number;
}

/** Pauses of an interactive demo (0 with --exit): before the cut, and how long the cut lasts. */
export interface PartitionPace {
  beforeMs?: number;
  holdMs?: number;
}

type Row = { id: string; doc?: { _id: string; _rev: string; _conflicts?: string[]; [k: string]: unknown } };

/** How often the nodes are asked about conflicts. */
const PROBE_MS = 20;

const readDocs = async (c: CouchClient, db: string, ids: readonly string[]) =>
  (
    await c.post<{ rows: Row[] }>(`/${db}/_all_docs`, { keys: ids }, { include_docs: true, conflicts: true })
  ).rows.flatMap((r) => (r.doc ? [r.doc] : []));

/** The readings updated on one side: a new temperature and `updated_at`. */
async function writeSide(c: CouchClient, db: string, ids: readonly string[], at: string, delta: number) {
  const docs = (await readDocs(c, db, ids)).map((d) => ({
    ...d,
    temperature_c: Math.round(((d.temperature_c as number) + delta) * 10) / 10,
    updated_at: at,
  }));
  await c.post(`/${db}/_bulk_docs`, { docs });
  return docs.length;
}

export async function runPartition(
  p: PartitionParts,
  deps: Pick<DemoDeps, 'clock'>,
  progress: (e: PartitionEvent) => void,
  pace: PartitionPace = {},
): Promise<PartitionResult> {
  const clock = clockOf(deps);
  const { run, clients } = p;
  if (!p.proxies.length)
    throw userError('E_DEMO', 'the partition scenario needs the demo started with it (--scenario partition)');
  const isolated = run.nodes[0] as DemoNode;
  // the other side: the first neighbour of the isolated node across a cut link
  const otherName = (p.links[0] as string).split('--').find((n) => n !== isolated.name) as string;
  const otherIndex = run.nodes.findIndex((n) => n.name === otherName);
  const [c0, c1] = [clients[0] as CouchClient, clients[otherIndex] as CouchClient];
  const ids = run.samples;
  const resolved = new Map<string, ResolutionSummary>();
  const off = p.controller.subscribe((e) => {
    if (e.type === 'resolution' && e.resolution.node === isolated.name && ids.includes(e.resolution.doc_id))
      resolved.set(e.resolution.doc_id, e.resolution);
  });
  try {
    if (pace.beforeMs) {
      progress({ type: 'partition-soon', node: isolated.name, inMs: pace.beforeMs });
      await clock.sleep(pace.beforeMs);
    }
    for (const x of p.proxies) x.set({ partition: true });
    progress({ type: 'partition-cut', node: isolated.name, links: [...p.links] });
    // the isolated side writes first, the other side a second later: last writer wins picks the latter
    const t = clock.now();
    const early = new Date(t).toISOString();
    const late = new Date(t + 1000).toISOString();
    const n0 = await writeSide(c0, run.db, ids, early, 1);
    progress({ type: 'partition-written', node: isolated.name, docs: n0, updated_at: early });
    const n1 = await writeSide(c1, run.db, ids, late, -1);
    progress({ type: 'partition-written', node: otherName, docs: n1, updated_at: late });
    if (pace.holdMs) await clock.sleep(pace.holdMs);
    for (const x of p.proxies) x.heal();
    progress({ type: 'partition-healed', links: [...p.links] });

    const end = clock.now() + p.timeoutMs;
    let appeared = 0;
    for (;;) {
      const seen = (await readDocs(c0, run.db, ids).catch(() => [])).filter((d) => d._conflicts?.length);
      const now = Math.max(seen.length, resolved.size);
      if (!appeared && now > 0) progress({ type: 'conflicts-appeared', node: isolated.name, count: now });
      appeared = Math.max(appeared, now);
      if (resolved.size >= ids.length && (await settled(clients, run.db, ids, late))) break;
      if (clock.now() > end)
        throw userError(
          'E_DEMO_TIMEOUT',
          `the controller did not resolve the partition's conflicts within ${p.timeoutMs} ms (${resolved.size}/${ids.length})`,
          'run the demo again; if it persists, please report it',
        );
      await clock.sleep(PROBE_MS);
    }
    const list = [...resolved.values()];
    progress({
      type: 'conflicts-resolved',
      node: isolated.name,
      count: list.length,
      audit_ids: [...new Set(list.map((r) => r.audit_id))],
      winner: otherName,
    });
    return { sides: [isolated.name, otherName], written: n0, appeared, resolved: list };
  } finally {
    off();
    for (const x of p.proxies) x.heal();
  }
}

/** Every node has every document without conflicts, with the later write's `updated_at`. */
async function settled(clients: readonly CouchClient[], db: string, ids: readonly string[], late: string) {
  for (const c of clients) {
    const docs = await readDocs(c, db, ids).catch(() => []);
    if (docs.length < ids.length || docs.some((d) => d._conflicts?.length || d.updated_at !== late))
      return false;
  }
  return true;
}
