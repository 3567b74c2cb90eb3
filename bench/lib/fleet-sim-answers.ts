// The fleet simulator's answers: each a recorded CouchDB 3.5.0 body (fleet-sim-samples.ts) with the
// time-dependent fields taken from the model (fleet-sim-state.ts) at time `t`.
import { createHash } from 'node:crypto';
import { ClusterNames, type SimCluster } from './fleet-sim-cluster.ts';
import type { Samples } from './fleet-sim-samples.ts';
import { type FleetModel, isoSeconds, type SimDirection, type SimNode } from './fleet-sim-state.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies built from recorded templates
type Json = any;

const pidOf = (d: SimDirection) => `<0.${Number.parseInt(d.base.slice(0, 6), 16)}.0>`;

/** a stale copy (fleet-sim-cluster.ts) was last updated this long before the owner's entry */
const STALE_MS = 30_000;

export class FleetAnswers {
  readonly names: ClusterNames;
  constructor(
    readonly model: FleetModel,
    readonly s: Samples,
    cluster?: SimCluster,
  ) {
    this.names = new ClusterNames(cluster);
  }

  root(n: SimNode): Json {
    return { ...this.s.root, uuid: createHash('md5').update(n.name).digest('hex') };
  }

  /** One `_scheduler/docs` entry (scheduler-docs-all.json's running entry, or the crashing one). */
  schedulerDoc(n: SimNode, d: SimDirection, t: number): Json {
    const started = isoSeconds(this.model.epoch);
    const common = {
      doc_id: d.docId,
      id: d.repId,
      node: this.names.owner(n, d),
      source: d.sourceUrl,
      target: d.targetUrl,
      start_time: started,
    };
    if (d.crashing) {
      const crashes = this.model.crashes(d, t);
      return {
        ...this.s.docCrashing,
        ...common,
        info: { error: this.model.crashReason(d) },
        error_count: crashes.length,
        last_updated: isoSeconds(crashes[0] ?? this.model.epoch),
      };
    }
    return { ...this.s.docRunning, ...common, info: this.model.stats(d, t), last_updated: started };
  }

  /** `GET /_scheduler/docs[/_replicator]?skip=&limit=[&states=]` (default limit 100, as CouchDB). */
  schedulerDocs(n: SimNode, t: number, q: URLSearchParams): Json {
    const states = q.get('states')?.split(',');
    const listed = n.held.map((d) => this.schedulerDoc(n, d, t));
    const stale = this.names.stale(n);
    if (stale) {
      const owner = this.schedulerDoc(n, stale.d, t);
      const at = isoSeconds(Date.parse(owner.last_updated) - STALE_MS);
      listed.splice(1, 0, { ...owner, node: stale.node, state: 'pending', last_updated: at });
    }
    const all = listed.filter((x) => !states || states.includes(x.state));
    const { skip, limit } = page(q);
    // `total_rows` counts every doc even with `states=` (scheduler-docs-states-crashing.json)
    return { total_rows: listed.length, offset: skip, docs: all.slice(skip, skip + limit) };
  }

  /** One `_scheduler/jobs` entry, history newest first. */
  job(n: SimNode, d: SimDirection, t: number): Json {
    const started = isoSeconds(this.model.epoch);
    const base = {
      id: d.repId,
      source: d.sourceUrl,
      target: d.targetUrl,
      doc_id: d.docId,
      node: this.names.owner(n, d),
      start_time: started,
    };
    const opening = [
      { timestamp: started, type: 'started' },
      { timestamp: started, type: 'added' },
    ];
    if (d.crashing) {
      const crashed = this.model
        .crashes(d, t)
        .map((at) => ({ timestamp: isoSeconds(at), type: 'crashed', reason: this.model.crashReason(d) }));
      return { ...this.s.jobCrashing, ...base, history: [...crashed, ...opening] };
    }
    return { ...this.s.jobRunning, ...base, pid: pidOf(d), info: this.model.stats(d, t), history: opening };
  }

  /** `GET /_scheduler/jobs?skip=&limit=`: ordered by replication id, as CouchDB. */
  jobs(n: SimNode, t: number, q: URLSearchParams): Json {
    const all = [...n.held].sort((a, b) => (a.repId < b.repId ? -1 : 1)).map((d) => this.job(n, d, t));
    const stale = this.names.stale(n);
    if (stale) {
      const owner = all.find((j) => j.id === stale.d.repId);
      const at = isoSeconds(this.model.epoch - STALE_MS);
      const history = [
        { timestamp: at, type: 'stopped' },
        { timestamp: at, type: 'started' },
        { timestamp: at, type: 'added' },
      ];
      all.splice(all.indexOf(owner) + 1, 0, { ...owner, node: stale.node, pid: null, history });
    }
    const { skip, limit } = page(q);
    return { total_rows: all.length, offset: skip, jobs: all.slice(skip, skip + limit) };
  }

  /** `GET /_active_tasks`: running jobs only (crashing ones are absent, REFERENCE A3). */
  activeTasks(n: SimNode, t: number): Json[] {
    const tasks = n.held
      .filter((d) => !d.crashing)
      .map((d) => ({
        ...this.s.task,
        ...this.model.stats(d, t),
        node: this.names.owner(n, d),
        pid: pidOf(d),
        checkpoint_interval: d.checkpointMs,
        doc_id: d.docId,
        replication_id: d.repId,
        source: d.sourceUrl,
        target: d.targetUrl,
        started_on: Math.floor(this.model.epoch / 1000),
        updated_on: Math.floor(t / 1000),
      }));
    const stale = this.names.stale(n);
    const owner = stale && tasks.find((x) => x.replication_id === stale.d.repId);
    if (stale && owner)
      tasks.push({
        ...owner,
        ...this.model.stats(stale.d, this.model.epoch),
        node: stale.node,
        updated_on: owner.updated_on - STALE_MS / 1000,
      });
    return tasks;
  }

  /** `GET /{db}` (db-info.json with this database's seq and counts). */
  dbInfo(n: SimNode, db: string, t: number): Json {
    const seq = this.model.seq(n.name, db, t);
    return {
      ...this.s.dbInfo,
      db_name: db,
      update_seq: seq.text,
      doc_count: seq.n,
      doc_del_count: 0,
      instance_start_time: String(Math.floor(this.model.epoch / 1000)),
    };
  }

  /** `GET /{db}/_local/{base}`: the same checkpoint doc on source and target (checkpoint-run1-*). */
  checkpoint(d: SimDirection, t: number): Json {
    const ck = this.model.checkpointAt(d, t);
    const seq = this.model.seq(d.from, d.db, ck.at - 2_000);
    const read = seq.n - this.model.seq(d.from, d.db, this.model.epoch).n;
    const session = d.base.split('').reverse().join('');
    const [h] = this.s.checkpoint.history;
    return {
      ...this.s.checkpoint,
      _id: `_local/${d.base}`,
      _rev: `0-${ck.count}`,
      session_id: session,
      source_last_seq: seq.text,
      history: [
        {
          ...h,
          session_id: session,
          start_time: new Date(this.model.epoch).toUTCString(),
          end_time: new Date(ck.at).toUTCString(),
          start_last_seq: 0,
          end_last_seq: seq.text,
          recorded_seq: seq.text,
          missing_checked: read,
          missing_found: read,
          docs_read: read,
          docs_written: read,
          bulk_get_docs: read,
          bulk_get_attempts: read,
        },
      ],
    };
  }

  /** `GET /_node/<member>/_stats/couch_replicator`: the job gauges of `held` (a cluster member's own, else the node's). */
  stats(n: SimNode, held: readonly SimDirection[] = n.held): Json {
    const crashed = held.filter((d) => d.crashing).length;
    const out = structuredClone(this.s.stats);
    out.jobs.running.value = held.length - crashed;
    out.jobs.crashed.value = crashed;
    out.jobs.pending.value = 0;
    out.jobs.total.value = held.length;
    return out;
  }

  /** `GET /_replicator/_all_docs[?include_docs=true]`. */
  replicatorAllDocs(n: SimNode, q: URLSearchParams): Json {
    const docs = q.get('include_docs') === 'true';
    return {
      total_rows: n.held.length,
      offset: 0,
      rows: n.held.map((d) => ({
        id: d.docId,
        key: d.docId,
        value: { rev: d.replicatorDoc._rev },
        ...(docs ? { doc: d.replicatorDoc } : {}),
      })),
    };
  }
}

/** `skip` and `limit` of a scheduler listing (CouchDB's default limit is 100, REFERENCE A3). */
function page(q: URLSearchParams): { skip: number; limit: number } {
  const skip = Math.max(0, Number(q.get('skip') ?? 0) || 0);
  const limit = Math.max(0, Number(q.get('limit') ?? 100) || 0);
  return { skip, limit };
}
