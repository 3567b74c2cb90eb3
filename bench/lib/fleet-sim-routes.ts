// The fleet simulator's routes: the read endpoints couchmesh's poller (watch/node-poll.ts), the
// planner's observe (plan/observe.ts: `_all_dbs`, `_replicator/_all_docs?include_docs=true`,
// `_security`, `_config`) and the checkpoint readers (observe/checkpoints.ts) call, answered as
// CouchDB 3.5.0 does. Writes are refused with 405: this is a simulator of telemetry, not a CouchDB.
import type { FleetAnswers } from './fleet-sim-answers.ts';
import type { SimNode } from './fleet-sim-state.ts';

export interface SimRequest {
  method: string;
  /** decoded path segments */
  parts: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface SimAnswer {
  status: number;
  body: unknown;
  /** route name, for the simulator's request counts */
  route: string;
}

const ok = (route: string, body: unknown): SimAnswer => ({ status: 200, body, route });

/** Answers one request to node `n` at time `t`. */
export function answer(a: FleetAnswers, n: SimNode, t: number, r: SimRequest): SimAnswer {
  const s = a.s;
  const miss = (route: string, m: { status: number; body: unknown }) => ({ ...m, route });
  const [p0 = '', p1, p2, p3, ...rest] = r.parts;
  const read = r.method === 'GET' || r.method === 'HEAD';
  // POSTs that only read (plan/observe.ts READ_POSTS): `_dbs_info`, `_all_docs` with keys
  if (r.method === 'POST' && p0 === '_dbs_info') return ok('_dbs_info', dbsInfo(a, n, t, r.body));
  if (r.method === 'POST' && p0 === '_replicator' && p1 === '_all_docs' && !p2)
    return ok('_replicator/_all_docs', allDocsByKeys(n, r.body));
  if (!read)
    return {
      status: 405,
      body: { error: 'method_not_allowed', reason: 'the fleet simulator only answers reads' },
      route: 'write',
    };
  if (p0 === '') return ok('/', a.root(n));
  if (p0 === '_up') return ok('_up', s.up);
  if (p0 === '_session') return ok('_session', s.session);
  if (p0 === '_all_dbs') return ok('_all_dbs', ['_replicator', '_users', ...n.dbs]);
  if (p0 === '_active_tasks') return ok('_active_tasks', a.activeTasks(n, t));
  if (p0 === '_scheduler' && p1 === 'jobs') {
    if (!p2) return ok('_scheduler/jobs', a.jobs(n, t, r.query));
    const d = n.held.find((x) => x.repId === p2);
    return d ? ok('_scheduler/jobs/{id}', a.job(n, d, t)) : miss('_scheduler/jobs/{id}', s.missingJob);
  }
  if (p0 === '_scheduler' && p1 === 'docs') {
    if (!p2 || (p2 === '_replicator' && !p3)) return ok('_scheduler/docs', a.schedulerDocs(n, t, r.query));
    const d = p2 === '_replicator' ? n.held.find((x) => x.docId === [p3, ...rest].join('/')) : undefined;
    return d
      ? ok('_scheduler/docs/{db}/{id}', a.schedulerDoc(n, d, t))
      : miss('_scheduler/docs/{db}/{id}', s.missingSchedulerDoc);
  }
  if (p0 === '_membership') return ok('_membership', a.names.membership(n));
  if (p0 === '_node' && p2 === '_stats') {
    // a cluster's member counts its own jobs (fleet-sim-cluster.ts)
    const held = a.names.heldBy(n, p1 ?? '_local');
    return held ? ok('_stats', a.stats(n, held)) : miss('_stats', s.missingDoc);
  }
  if (p0 === '_node' && p2 === '_config') return config(a, p3, rest[0]);
  if (p0 === '_replicator') return replicator(a, n, r, p1, p2);
  if (p0 === '_users') return miss('_users', p1 ? s.missingDoc : s.missingDb);
  if (!n.dbs.includes(p0)) return miss('{db}', s.missingDb);
  if (!p1) return ok('{db}', a.dbInfo(n, p0, t));
  if (p1 === '_security' && !p2) return ok('{db}/_security', s.security);
  if (p1 === '_local' && p2) {
    const d = n.local.get(`${p0}/${p2}`);
    return d ? ok('{db}/_local/{id}', a.checkpoint(d, t)) : miss('{db}/_local/{id}', s.missingDoc);
  }
  return miss('other', s.missingDoc);
}

function replicator(a: FleetAnswers, n: SimNode, r: SimRequest, p1?: string, p2?: string): SimAnswer {
  if (!p1) return ok('_replicator', { ...a.s.dbInfo, db_name: '_replicator', doc_count: n.held.length });
  if (p1 === '_all_docs' && !p2) return ok('_replicator/_all_docs', a.replicatorAllDocs(n, r.query));
  const d = n.held.find((x) => x.docId === p1);
  return d ? ok('_replicator/{id}', d.replicatorDoc) : { ...a.s.missingDoc, route: '_replicator/{id}' };
}

/** `_node/_local/_config[/section[/key]]`: the recorded `[replicator]` section, nothing else set. */
function config(a: FleetAnswers, section?: string, key?: string): SimAnswer {
  const sections: Record<string, Record<string, string>> = { replicator: a.s.configReplicator };
  if (!section) return ok('_config', sections);
  const sec = sections[section] ?? {};
  if (!key) return ok('_config', sec);
  const v = sec[key];
  return v === undefined
    ? { status: 404, body: { error: 'not_found', reason: 'unknown_config_value' }, route: '_config' }
    : ok('_config', v);
}

/** `POST /_dbs_info {keys}`: `{key, info}` per database, `{key, error: "not_found"}` for others. */
function dbsInfo(a: FleetAnswers, n: SimNode, t: number, body: unknown) {
  const keys = (body as { keys?: unknown })?.keys;
  return (Array.isArray(keys) ? keys : []).map((k) =>
    typeof k === 'string' && n.dbs.includes(k)
      ? { key: k, info: a.dbInfo(n, k, t) }
      : { key: k, error: 'not_found' },
  );
}

/** `POST /_replicator/_all_docs {keys}` (all-docs-post-keys-missing-and-deleted.json shapes). */
function allDocsByKeys(n: SimNode, body: unknown) {
  const keys = (body as { keys?: unknown })?.keys;
  const rows = (Array.isArray(keys) ? keys : []).map((k) => {
    const d = n.held.find((x) => x.docId === k);
    return d
      ? { id: d.docId, key: d.docId, value: { rev: d.replicatorDoc._rev } }
      : { key: k, error: 'not_found' };
  });
  return { total_rows: n.held.length, offset: null, rows };
}
