/**
 * One canary round: for every direction A->B, update `canary:A>B` on A (a counter in the body, so
 * every round is a new revision) and time its arrival on B. B is watched through ONE continuous
 * `_changes` feed per node with `filter=_doc_ids` (the ids of the canaries coming into it), opened
 * from the last seq this probe saw on it, so no arrival can be missed however the feed and the write
 * race: a row at an older revision generation than this round's write is an earlier round's canary
 * and is ignored. Latency is couchmesh's clock from the write's acknowledgement on A to the row on
 * B (never node clocks). An unreachable A or B, or a canary not seen within the timeout, gives a
 * `null` sample, never a throw. Every feed and write is awaited before `round` returns (an abort
 * included), so nothing is left running.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../core/clock.ts';
import type { Seq } from '../couch/changes.ts';
import type { CouchClient } from '../couch/client.ts';
import { CouchError } from '../couch/errors.ts';
import { canaryDocId } from '../spec/canary.ts';
import type { CanaryDirection, CanarySample } from './types.ts';

/** What the probe uses of a node's client. */
export type CanaryClient = Pick<CouchClient, 'get' | 'put' | 'changesStream'>;

export interface CanaryProbeOptions {
  /** the canary database (canary.database of mesh.yaml) */
  db: string;
  /** one client per node name */
  clients: ReadonlyMap<string, CanaryClient>;
  clock: Clock;
  /** a canary not seen on its target within this long is lost (null) */
  timeoutMs: number;
}

export interface CanaryRound {
  samples: CanarySample[];
  /** HTTP requests the round made (writes, reads of a missing revision, feeds opened) */
  requests: number;
}

const generation = (rev: string | undefined) => (rev ? Number.parseInt(rev, 10) : 0);

/** Keeps per direction the canary doc's revision and per node the feed's seq across rounds. */
export class CanaryProbe {
  readonly #o: CanaryProbeOptions;
  readonly #revs = new Map<string, string>();
  readonly #since = new Map<string, Seq>();
  #counter = 0;
  /** requests over every round so far */
  requests = 0;

  constructor(o: CanaryProbeOptions) {
    this.#o = o;
  }

  async round(directions: readonly CanaryDirection[], signal?: AbortSignal): Promise<CanaryRound> {
    const { clock, clients, db, timeoutMs } = this.#o;
    const at = clock.now();
    const n = ++this.#counter;
    let requests = 0;
    const count = () => {
      requests++;
      this.requests++;
    };
    const stop = new AbortController();
    // every write and feed of the round listens on it (a direction each): many listeners, not a leak
    setMaxListeners(1_000, stop.signal);
    const abort = () => stop.abort();
    signal?.addEventListener('abort', abort, { once: true });
    // per canary id: this round's written generation and ack time; the newest generation seen on B
    const written = new Map<string, { gen: number; at: number }>();
    const seen = new Map<string, { gen: number; at: number }>();
    const failed = new Set<string>();
    const ids = directions.map((d) => canaryDocId(d.from, d.to));
    let wake: () => void = () => {};
    const settled = new Promise<void>((r) => {
      wake = r;
    });
    const check = () => {
      const done = ids.every((id) => {
        if (failed.has(id)) return true;
        const w = written.get(id);
        const s = seen.get(id);
        return w !== undefined && s !== undefined && s.gen >= w.gen;
      });
      if (done) wake();
    };

    const watch = async (node: string, into: string[]) => {
      const client = clients.get(node);
      try {
        if (!client) throw new Error(`no client for ${node}`);
        count();
        const feed = client.changesStream({
          db,
          since: this.#since.get(node) ?? 0,
          docIds: into,
          signal: stop.signal,
        });
        for await (const row of feed) {
          if (row.seq !== null) this.#since.set(node, row.seq);
          const gen = generation(row.changes[0]?.rev);
          const prev = seen.get(row.id);
          if (!prev || gen > prev.gen) seen.set(row.id, { gen, at: clock.now() });
          check();
        }
      } catch {
        // an unreachable target (or a missing canary database): its canaries cannot be seen
      }
      if (!stop.signal.aborted) for (const id of into) failed.add(id);
      check();
    };

    const write = async (d: CanaryDirection, id: string) => {
      const client = clients.get(d.from);
      const path = `/${encodeURIComponent(db)}/${encodeURIComponent(id)}`;
      const put = async () => {
        const rev = this.#revs.get(id);
        count();
        return client?.put<{ rev: string }>(path, { ...(rev ? { _rev: rev } : {}), n, at }, undefined, {
          signal: stop.signal,
        });
      };
      try {
        if (!client) throw new Error(`no client for ${d.from}`);
        let res: { rev: string } | undefined;
        try {
          res = await put();
        } catch (e) {
          // first write of this probe (or a revision moved by someone else): read the current one, once
          if (!(e instanceof CouchError && e.status === 409)) throw e;
          count();
          const cur = await client.get<{ _rev: string }>(path, undefined, { signal: stop.signal });
          this.#revs.set(id, cur._rev);
          res = await put();
        }
        if (!res) throw new Error('no response');
        this.#revs.set(id, res.rev);
        written.set(id, { gen: generation(res.rev), at: clock.now() });
      } catch {
        this.#revs.delete(id);
        failed.add(id);
      }
      check();
    };

    const targets = new Map<string, string[]>();
    for (const d of directions) targets.set(d.to, [...(targets.get(d.to) ?? []), canaryDocId(d.from, d.to)]);
    const work = [
      ...[...targets].map(([node, into]) => watch(node, into)),
      ...directions.map((d, i) => write(d, ids[i] as string)),
    ];
    const timeout = clock.sleep(timeoutMs, stop.signal).catch(() => undefined);
    if (ids.length === 0) wake();
    if (signal?.aborted) stop.abort();
    // the timeout's sleep also ends when the round is aborted
    await Promise.race([settled, timeout]);
    stop.abort();
    signal?.removeEventListener('abort', abort);
    await Promise.allSettled([...work, timeout]);

    const samples = directions.map((d, i): CanarySample => {
      const id = ids[i] as string;
      const w = written.get(id);
      const s = seen.get(id);
      const arrived = w !== undefined && s !== undefined && s.gen >= w.gen;
      return { from: d.from, to: d.to, at, latencyMs: arrived ? Math.max(0, s.at - w.at) : null };
    });
    return { samples, requests };
  }
}
