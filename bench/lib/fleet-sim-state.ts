// The fleet simulator's state: a pure function of (node, time). Every database of every node grows
// at its own steady rate since the mesh's epoch (one hour before the simulator started); every
// direction replicates within LAG_MS of its source, checkpoints every checkpoint_interval (at its
// own phase) and counts docs read/written since its job started; a chosen fraction of directions
// crash every CRASH_EVERY_MS with CouchDB's db_not_found reason (state `crashing`, out of
// `_active_tasks`, crashes in the `_scheduler/jobs` history); another fraction has no `_replicator`
// doc at all (a fleet not applied yet). Nothing is stored, so an answer costs
// the same at any time and any two reads at the same time agree (source and target checkpoints).
import { createHash } from 'node:crypto';
import type { MeshLink } from '../../src/observe/links.ts';
import { desiredState } from '../../src/plan/desired.ts';
import type { FleetMesh } from './fleet-sim-mesh.ts';

/** replication delay of a running direction: through_seq is the source's seq this long ago */
export const LAG_MS = 2_000;
export const CRASH_EVERY_MS = 60_000;
/** the mesh's epoch: jobs started this long before the simulator */
const HISTORY_MS = 3_600_000;

/** A number in [0, 1) from a string (FNV-1a): the simulator's only source of variety. */
export function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface SimDirection {
  link: string;
  db: string;
  from: string;
  to: string;
  docNode: string;
  docId: string;
  /** `<32 hex>+continuous` */
  repId: string;
  base: string;
  sourceUrl: string;
  targetUrl: string;
  checkpointMs: number;
  /** ms after the epoch of its first checkpoint */
  phase: number;
  crashing: boolean;
  /** the `_replicator` doc as couchmesh plans it (desired.ts), with `_id` and `_rev` */
  replicatorDoc: Record<string, unknown>;
}

export interface SimNode {
  name: string;
  url: string;
  /** databases held (a source or target of some direction) */
  dbs: string[];
  /** directions whose `_replicator` doc this node holds, by doc id */
  held: SimDirection[];
  /** `db/base` -> direction, for the checkpoint `_local` docs it holds (source and target side) */
  local: Map<string, SimDirection>;
}

/** The whole fleet, and what each node holds. */
export class FleetModel {
  readonly epoch: number;
  readonly nodes = new Map<string, SimNode>();
  readonly #rates = new Map<string, { rate: number; start: number; prefix: string }>();

  constructor(
    readonly mesh: FleetMesh,
    o: {
      /** fraction of directions that crash (0 … 1) */
      crashing: number;
      /** fraction of directions whose `_replicator` doc is not there (not applied yet, or deleted) */
      missing: number;
    },
    startedAt: number,
  ) {
    this.epoch = startedAt - HISTORY_MS;
    const urls = new Map(mesh.spec.nodes.map((n) => [n.name, n.url]));
    for (const [name, url] of urls) this.nodes.set(name, { name, url, dbs: [], held: [], local: new Map() });
    const docs = new Map(
      desiredState(mesh.spec, () => undefined).docs.map((d) => [d.id, { _id: d.id, ...d.body }]),
    );
    for (const l of mesh.links) for (const ref of l.directions) this.#addDirection(l, ref, o, docs);
    for (const n of this.nodes.values()) {
      n.held.sort((a, b) => (a.docId < b.docId ? -1 : 1));
      n.dbs.sort();
    }
  }

  #addDirection(
    l: MeshLink,
    ref: MeshLink['directions'][number],
    o: { crashing: number; missing: number },
    docs: Map<string, Record<string, unknown>>,
  ) {
    const node = (name: string) => this.nodes.get(name) as SimNode;
    const from = node(ref.from);
    const to = node(ref.to);
    const hex = md5(`${from.url}/${l.db} ${to.url}/${l.db}`);
    const d: SimDirection = {
      link: l.link,
      db: l.db,
      from: ref.from,
      to: ref.to,
      docNode: ref.docNode,
      docId: ref.docId,
      repId: `${hex}+continuous`,
      base: hex,
      sourceUrl: `${from.url}/${l.db}/`,
      targetUrl: `${to.url}/${l.db}/`,
      checkpointMs: ref.checkpointIntervalMs,
      phase: Math.floor(unit(`phase ${ref.docId}`) * ref.checkpointIntervalMs),
      crashing: unit(`crash ${ref.docId}`) < o.crashing,
      replicatorDoc: { ...docs.get(ref.docId), _rev: `1-${md5(ref.docId)}` },
    };
    if (unit(`missing ${ref.docId}`) < o.missing) return;
    node(ref.docNode).held.push(d);
    for (const n of [from, to]) {
      n.local.set(`${l.db}/${hex}`, d);
      if (!n.dbs.includes(l.db)) n.dbs.push(l.db);
    }
  }

  /** A database's update seq at `t`: its number (the heuristic prefix) and CouchDB-like text. */
  seq(node: string, db: string, t: number): { n: number; text: string } {
    const key = `${node}/${db}`;
    let r = this.#rates.get(key);
    if (!r) {
      // 0.05 … 0.5 docs/s per database, starting from a few hundred docs
      const prefix = `g1AAAACfeJzLYWBgYMpgTmEQSs4vTc5ISTJ${md5(key)}${md5(`${key}/2`).slice(0, 24)}`;
      r = {
        rate: 0.05 + 0.45 * unit(`rate ${key}`),
        start: 100 + Math.floor(900 * unit(`start ${key}`)),
        prefix,
      };
      this.#rates.set(key, r);
    }
    const n = r.start + Math.floor((r.rate * Math.max(0, t - this.epoch)) / 1000);
    return { n, text: `${n}-${r.prefix}${n.toString(36)}` };
  }

  /** Time of a running direction's newest checkpoint at `t`, and how many it made. */
  checkpointAt(d: SimDirection, t: number): { at: number; count: number } {
    const k = Math.max(0, Math.floor((t - this.epoch - d.phase) / d.checkpointMs));
    // a crashing job stopped checkpointing at its first crash
    const last = d.crashing ? Math.min(k, Math.floor(CRASH_EVERY_MS / d.checkpointMs)) : k;
    return { at: this.epoch + d.phase + last * d.checkpointMs, count: last + 1 };
  }

  /** The job's stats at `t` (`_scheduler/*` `info`, `_active_tasks` fields). */
  stats(d: SimDirection, t: number) {
    const source = this.seq(d.from, d.db, t);
    const through = this.seq(d.from, d.db, t - LAG_MS);
    const ck = this.seq(d.from, d.db, this.checkpointAt(d, t).at - LAG_MS);
    const read = through.n - this.seq(d.from, d.db, this.epoch).n;
    return {
      revisions_checked: read,
      missing_revisions_found: read,
      docs_read: read,
      docs_written: read,
      changes_pending: source.n - through.n,
      doc_write_failures: 0,
      bulk_get_docs: read,
      bulk_get_attempts: read,
      checkpointed_source_seq: ck.text,
      source_seq: source.text,
      through_seq: through.text,
    };
  }

  /** Crashes of a crashing direction up to `t`, newest first (at most `max`). */
  crashes(d: SimDirection, t: number, max = 10): number[] {
    if (!d.crashing) return [];
    const k = Math.floor((t - this.epoch - d.phase) / CRASH_EVERY_MS);
    const out: number[] = [];
    for (let i = k; i >= 1 && out.length < max; i--) out.push(this.epoch + d.phase + i * CRASH_EVERY_MS);
    return out;
  }

  crashReason(d: SimDirection): string {
    return `db_not_found: could not open ${d.targetUrl}`;
  }
}

/** `2026-11-27T15:59:46Z` (CouchDB's scheduler times: seconds, UTC). */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
