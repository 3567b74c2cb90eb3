/**
 * Re-scans from 0, told from the checkpoints (#16: "no link re-scanned from 0 unless its checkpoint
 * was deliberately reset or its database recreated"). A replication's checkpoint is
 * `_local/<replication id>` in its source and target databases, with a `history` of sessions, each
 * naming the seq it started from (`start_last_seq`, CouchDB's couch_replicator do_checkpoint). A
 * re-scan is a session that began after the scenario started, from seq 0, on a replication that had
 * already checkpointed progress before it: CouchDB found no common ancestry in the two logs
 * (compare_replication_logs) and read the source's whole `_changes` again. A session writes its
 * first checkpoint only after `checkpoint_interval` (up to 30 s), so a job running now is also
 * read: its `checkpointed_source_seq` is the seq it started from until then (`_scheduler/docs`
 * info), and 0 on a replication that had progressed is a re-scan under way.
 */
import { type Seq, seqEquals, seqNumber } from '../couchdb/seq.ts';

export interface CheckpointSessions {
  node: string;
  db: string;
  /** the replication id (the `_local/` doc id without its prefix) */
  id: string;
  sessions: Array<{ session_id: string; start_last_seq: Seq; recorded_seq: Seq }>;
}

/** A running job as `_scheduler/docs` shows it. */
export interface RunningJob {
  /** the replication id without its `+continuous` extensions */
  id: string;
  state: string;
  checkpointed_source_seq: Seq | null;
}

export interface Rescan {
  db: string;
  id: string;
  /** the direction's `_replicator` doc id when known, else `_local/<id>` */
  label: string;
  /** the nodes holding this checkpoint (the direction's ends) */
  nodes: string[];
  /** true when a node of it had its database recreated or its checkpoint reset on purpose */
  expected: boolean;
}

/** The checkpoint docs among `_local_docs?include_docs=true` rows (others have no `history`). */
export function checkpointSessions(
  node: string,
  db: string,
  rows: ReadonlyArray<{ id: string; doc?: { history?: unknown } }>,
): CheckpointSessions[] {
  const out: CheckpointSessions[] = [];
  for (const r of rows) {
    if (!Array.isArray(r.doc?.history)) continue;
    const sessions = (r.doc.history as Array<Record<string, unknown>>).flatMap((h) =>
      typeof h.session_id === 'string'
        ? [
            {
              session_id: h.session_id,
              start_last_seq: h.start_last_seq as Seq,
              recorded_seq: h.recorded_seq as Seq,
            },
          ]
        : [],
    );
    out.push({ node, db, id: r.id.replace(/^_local\//, ''), sessions });
  }
  return out;
}

const fromZero = (s: Seq) => seqEquals(s, 0) || seqNumber(s) === 0;

/**
 * The re-scans between two readings of every node's checkpoints. `expect` lists `node/db` whose
 * checkpoints the scenario reset on purpose; `labels` maps replication ids to direction names.
 */
export function findRescans(
  before: readonly CheckpointSessions[],
  after: readonly CheckpointSessions[],
  expect: readonly string[],
  labels: ReadonlyMap<string, string> = new Map(),
  jobs: readonly RunningJob[] = [],
): Rescan[] {
  const key = (c: { db: string; id: string }) => `${c.db}\n${c.id}`;
  const known = new Map<string, { sessions: Set<string>; progressed: boolean }>();
  for (const c of before) {
    const k = known.get(key(c)) ?? { sessions: new Set<string>(), progressed: false };
    for (const s of c.sessions) {
      k.sessions.add(s.session_id);
      if (!fromZero(s.recorded_seq)) k.progressed = true;
    }
    known.set(key(c), k);
  }
  const found = new Map<string, Rescan>();
  const ends = new Map<string, Set<string>>();
  for (const c of [...before, ...after]) ends.set(key(c), (ends.get(key(c)) ?? new Set()).add(c.node));
  const add = (c: { db: string; id: string }) => {
    const nodes = [...(ends.get(key(c)) ?? [])].sort();
    found.set(key(c), {
      db: c.db,
      id: c.id,
      label: labels.get(c.id) ?? `_local/${c.id}`,
      nodes,
      expected: nodes.some((n) => expect.includes(`${n}/${c.db}`)),
    });
  };
  for (const c of after) {
    const k = known.get(key(c));
    if (!k?.progressed) continue; // a first replication starts from 0 by design
    if (c.sessions.some((s) => !k.sessions.has(s.session_id) && fromZero(s.start_last_seq))) add(c);
  }
  for (const j of jobs) {
    if (j.state !== 'running' || j.checkpointed_source_seq === null || !fromZero(j.checkpointed_source_seq))
      continue;
    for (const c of before) if (c.id === j.id && known.get(key(c))?.progressed) add(c);
  }
  return [...found.values()];
}
