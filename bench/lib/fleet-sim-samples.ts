// The recorded CouchDB 3.5.0 answers the fleet simulator starts from (test/fixtures/couchdb/samples,
// see its INDEX.md): each generated answer is a recorded body with only the fields that change over
// time (seqs, counters, times, ids) replaced, so every other field CouchDB prints is there as printed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../test/fixtures/couchdb/samples/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, used as a template
type Json = any;

/** The body of a recorded sample (the `{request,status,headers,body}` wrapper or a bare body). */
function body(name: string): Json {
  const j = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'));
  return j && typeof j === 'object' && 'request' in j && 'body' in j ? j.body : j;
}

function status(name: string): number {
  return (JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as { status: number }).status;
}

/** Recorded bodies, read once per process. */
export function loadSamples() {
  const jobs = body('scheduler-jobs-with-crashing').jobs as Json[];
  const docs = body('scheduler-docs-all').docs as Json[];
  return {
    root: body('root'),
    up: body('up'),
    session: body('session-get-basic-auth'),
    security: body('security-get'),
    /** `GET /{db}` (db-info.json) */
    dbInfo: body('db-info'),
    /** `GET /_node/_local/_config/replicator` */
    configReplicator: body('node-config-replicator'),
    /** `GET /_node/_local/_stats/couch_replicator` */
    stats: body('node-stats-couch-replicator'),
    /** a running continuous `_scheduler/docs` entry */
    docRunning: docs.find((d) => d.state === 'running'),
    /** a crashing one (`info.error`, `error_count`) */
    docCrashing: body('scheduler-docs-states-crashing').docs[0],
    /** a `_scheduler/jobs` entry with stats and history */
    jobRunning: jobs.find((j) => j.pid !== null),
    /** one with a crash in its history, no pid, no info */
    jobCrashing: jobs.find((j) => j.pid === null),
    /** the running replication entry of `_active_tasks` */
    task: body('active-tasks-replication')[0],
    /** a checkpoint `_local` doc (source and target hold the same one) */
    checkpoint: body('checkpoint-run1-source-local-doc'),
    /** 404 bodies, with their recorded status */
    missingDb: { status: status('error-404-missing-db'), body: body('error-404-missing-db') },
    missingDoc: { status: status('error-404-missing-doc'), body: body('error-404-missing-doc') },
    missingJob: { status: status('scheduler-job-missing-404'), body: body('scheduler-job-missing-404') },
    missingSchedulerDoc: {
      status: status('scheduler-doc-missing-404'),
      body: body('scheduler-doc-missing-404'),
    },
  };
}

export type Samples = ReturnType<typeof loadSamples>;
