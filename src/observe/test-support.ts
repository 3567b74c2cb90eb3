/**
 * Test helpers: real CouchDB 3.5.0 response bodies (fixtures/couchdb-3.5.0.json, copied from
 * shared/couchdb/samples) and builders that derive link-shaped variants from them — same fields,
 * same opaque seq suffixes, only ids / numeric prefixes / states changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeshLink } from './links.ts';
import { parseActiveTasks, parseDbInfo, parseSchedulerDoc, parseSchedulerJobsPage } from './parse.ts';
import { type DbSeqInfo, dbSeqInfo, type NodeSnapshot } from './snapshot.ts';
import type { ActiveTask, DocState, SchedulerDoc, SchedulerJob } from './types.ts';

const FIXTURES = JSON.parse(
  readFileSync(fileURLToPath(new URL('./fixtures/couchdb-3.5.0.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;

export const FIXTURE_NAMES = Object.keys(FIXTURES).filter((k) => !k.startsWith('_'));

/** A sample body by its file name (without `.json`), deep-copied. */
export function fixture(name: string): unknown {
  if (!(name in FIXTURES)) throw new Error(`no fixture ${name}`);
  return structuredClone(FIXTURES[name]);
}

/** The CouchDB 3.5.0 samples committed in test/fixtures (COUCHDB_SHARED_DIR overrides). */
export const SAMPLES_DIR = process.env.COUCHDB_SHARED_DIR
  ? join(process.env.COUCHDB_SHARED_DIR, 'samples')
  : fileURLToPath(new URL('../../test/fixtures/couchdb/samples/', import.meta.url));

/** The body of a sample file (wrapped `{request,status,headers,body}` or bare). */
export function sampleBody(file: string): { status: number; body: unknown } {
  const raw = JSON.parse(readFileSync(join(SAMPLES_DIR, file), 'utf8')) as Record<string, unknown>;
  const wrapped = raw && typeof raw === 'object' && 'request' in raw && 'body' in raw;
  return wrapped ? { status: raw.status as number, body: raw.body } : { status: 200, body: raw };
}

export const T0 = Date.parse('2026-11-27T16:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** A real seq with its numeric prefix replaced: `"5-g1AA…"` -> `"42-g1AA…"`. */
export const seqWith = (real: string, n: number) => real.replace(/^\d+/, String(n));
const REAL_SEQ = (parseSchedulerDoc(fixture('checkpoint-run1-scheduler-doc')).info as { source_seq: string })
  .source_seq;

/** Two-node link `a--b` over `db`, both directions pulled (doc on the target) unless `push`. */
export function twoNodeLink(a = 'n1', b = 'n2', db = 'sensors', intervalMs = 5000, mesh = 'm'): MeshLink {
  const dir = (from: string, to: string) => ({
    from,
    to,
    docNode: to,
    mode: 'pull' as const,
    docId: `couchmesh.${mesh}.${db}.${from}--${to}`,
    checkpointIntervalMs: intervalMs,
  });
  return { mesh, link: [a, b].sort().join('--'), db, directions: [dir(a, b), dir(b, a)] };
}

/** A CouchDB-looking replication id (32 hex + `+continuous`) derived from the doc id. */
export const repIdOf = (docId: string) => `${createHash('md5').update(docId).digest('hex')}+continuous`;

export interface Progress {
  checkpointed?: number;
  source?: number;
  through?: number;
  written?: number;
  failures?: number;
  checked?: number;
  found?: number;
  pending?: number | null;
}

/** The running job of checkpoint-run1-scheduler-doc.json as the doc of `docId`, with the given numbers. */
export function runningDoc(
  docId: string,
  p: Progress = {},
  state: DocState = 'running',
  at = T0,
): SchedulerDoc {
  const d = parseSchedulerDoc(fixture('checkpoint-run1-scheduler-doc'));
  const checkpointed = p.checkpointed ?? 5;
  return {
    ...d,
    doc_id: docId,
    id: repIdOf(docId),
    state,
    last_updated: iso(at),
    info: {
      revisions_checked: p.checked ?? p.written ?? checkpointed,
      missing_revisions_found: p.found ?? p.written ?? checkpointed,
      docs_read: p.written ?? checkpointed,
      docs_written: p.written ?? checkpointed,
      changes_pending: p.pending === undefined ? null : p.pending,
      doc_write_failures: p.failures ?? 0,
      bulk_get_docs: p.written ?? checkpointed,
      bulk_get_attempts: p.written ?? checkpointed,
      checkpointed_source_seq: checkpointed === 0 ? '0' : seqWith(REAL_SEQ, checkpointed),
      source_seq: seqWith(REAL_SEQ, p.source ?? checkpointed),
      through_seq: seqWith(REAL_SEQ, p.through ?? p.source ?? checkpointed),
    },
  };
}

/** The crashing doc of scheduler-doc-missing-target-db.json as `docId` (db_not_found). */
export function crashingDoc(docId: string, errorCount = 1, at = T0): SchedulerDoc {
  const d = parseSchedulerDoc(fixture('scheduler-doc-missing-target-db'));
  return { ...d, doc_id: docId, error_count: errorCount, last_updated: iso(at) };
}

/** The failed duplicate of scheduler-doc-duplicate-replication.json as `docId`. */
export function failedDoc(docId: string): SchedulerDoc {
  return { ...parseSchedulerDoc(fixture('scheduler-doc-duplicate-replication')), doc_id: docId };
}

/** The job with a crash history of scheduler-jobs-with-crashing.json, for `doc`. */
export function crashedJob(doc: SchedulerDoc, reason?: string, at = T0): SchedulerJob {
  const page = parseSchedulerJobsPage(fixture('scheduler-jobs-with-crashing'));
  const job = page.jobs[0] as SchedulerJob;
  const [crash, ...rest] = job.history;
  return {
    ...job,
    id: doc.id ?? job.id,
    doc_id: doc.doc_id,
    history: [{ ...crash, type: 'crashed', timestamp: iso(at), reason: reason ?? crash?.reason }, ...rest],
  };
}

/** The `_active_tasks` entry of active-tasks-replication.json for `doc`, with the given numbers. */
export function taskFor(doc: SchedulerDoc, p: Progress = {}, intervalMs = 5000): ActiveTask {
  const t = parseActiveTasks(fixture('active-tasks-replication'))[0] as ActiveTask;
  const info = runningDoc(doc.doc_id, p).info as Record<string, unknown>;
  return { ...t, ...info, replication_id: doc.id ?? '', doc_id: doc.doc_id, checkpoint_interval: intervalMs };
}

/** node1-sensors-dbinfo.json with `update_seq` at `n` (and optionally another instance_start_time). */
export function dbAt(n: number, instance?: string): DbSeqInfo {
  const info = parseDbInfo(fixture('node1-sensors-dbinfo'));
  const real = String(info.update_seq);
  return dbSeqInfo({
    ...info,
    update_seq: seqWith(real, n),
    instance_start_time: instance ?? info.instance_start_time,
  });
}

export function snapshot(node: string, at: number, p: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return { node, at, reachable: true, confidence: 'full', docs: [], tasks: [], dbInfo: {}, ...p };
}

/** A ring of `n` nodes, each linked to the next `fanout`, and a counter of `docs` reads. */
export function countedRing(n: number, fanout: number) {
  const name = (i: number) => `n${i}`;
  const links: MeshLink[] = [];
  for (let i = 0; i < n; i++)
    for (let k = 1; k <= fanout; k++) links.push(twoNodeLink(name(i), name((i + k) % n)));
  const reads = { n: 0 };
  const counted = (s: NodeSnapshot): NodeSnapshot => {
    const docs = s.docs;
    return Object.defineProperty({ ...s }, 'docs', {
      get: () => {
        reads.n++;
        return docs;
      },
      enumerable: true,
    });
  };
  return { links, reads, counted, name };
}
