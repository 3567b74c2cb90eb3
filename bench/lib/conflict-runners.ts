// The four resolvers the conflict benchmark compares, each over a database of `n` documents of
// conflicting leaves (conflict-world.ts), lww on updated_at: the same winners and the same revisions.
import { type ChangesResponse, type CouchClient, dbPath, docPath, type Seq } from '../../src/couch/index.ts';
import { conflictsResolve } from '../../src/ops/conflicts.ts';
import { ConflictResolver, parseConflictsConfig, planResolution } from '../../src/resolve/index.ts';
import { listConflicts } from '../../src/resolve/inspect.ts';
import { docId, leavesOf, type Target } from './conflict-world.ts';

export interface Run {
  docs: number;
  revisions: number;
}

type Doc = Record<string, unknown>;
const latest = (docs: Doc[]) =>
  docs.reduce((a, b) => ((b.updated_at as string) > (a.updated_at as string) ? b : a));

/** The textbook resolver: per document GET ?conflicts=true, GET each leaf, one _bulk_docs; no audit. */
export async function naive(client: CouchClient, db: string, n: number): Promise<Run> {
  let revisions = 0;
  for (let i = 0; i < n; i++) {
    const id = docId(i);
    const winner = await client.get<Doc>(docPath(db, id), { conflicts: true });
    const others: Doc[] = [];
    for (const rev of (winner._conflicts as string[]) ?? [])
      others.push(await client.get<Doc>(docPath(db, id), { rev }));
    const best = latest([winner, ...others]);
    const { _id, _rev, _conflicts, ...fields } = best;
    const docs = [
      ...(best === winner ? [] : [{ ...fields, _id: id, _rev: winner._rev }]),
      ...others.map((o) => ({ _id: id, _rev: o._rev, _deleted: true })),
    ];
    await client.post(`${dbPath(db)}/_bulk_docs`, { docs });
    revisions += docs.length;
  }
  return { docs: n, revisions };
}

/**
 * The 40-line batched resolver of the issue: `_changes?style=all_docs` pages -> one `_bulk_get` of the
 * conflicted ids -> one `_bulk_docs` per page; sequential, no audit, no retries.
 */
export async function toyBatched(client: CouchClient, db: string, page = 1000): Promise<Run> {
  let since: Seq = 0;
  let docs = 0;
  let revisions = 0;
  for (;;) {
    const ch: ChangesResponse = await client.changes({ db, since, limit: page, style: 'all_docs' });
    const ids = ch.results.filter((r) => r.changes.length > 1).map((r) => r.id);
    if (ids.length) {
      const got = await client.post<{ results: Array<{ id: string; docs: Array<{ ok?: Doc }> }> }>(
        `${dbPath(db)}/_bulk_get`,
        { docs: ids.map((id) => ({ id })) },
      );
      const writes: Doc[] = [];
      for (const r of got.results) {
        const live = r.docs.flatMap((d) => (d.ok && !d.ok._deleted ? [d.ok] : []));
        if (live.length < 2) continue;
        // CouchDB's winner: highest position, then greatest rev string
        const winner = live.reduce((a, b) => (revKey(b) > revKey(a) ? b : a));
        const best = latest(live);
        const { _id, _rev, _revisions, ...fields } = best;
        if (best !== winner) writes.push({ ...fields, _id: r.id, _rev: winner._rev });
        for (const l of live) if (l !== winner) writes.push({ _id: r.id, _rev: l._rev, _deleted: true });
        docs++;
      }
      if (writes.length) await client.post(`${dbPath(db)}/_bulk_docs`, { docs: writes });
      revisions += writes.length;
    }
    since = ch.last_seq;
    if (ch.results.length < page) return { docs, revisions };
  }
}

const revKey = (d: Doc) => {
  const rev = d._rev as string;
  return `${rev.slice(0, rev.indexOf('-')).padStart(10, '0')}${rev.slice(rev.indexOf('-'))}`;
};

/** The `_bulk_docs` bodies of the revisions ours writes, planned offline (outside the clock). */
export interface LimitPlan {
  bodies: string[];
  revisions: number;
  docs: number;
}

export async function planLimit(db: string, n: number, batch: number): Promise<LimitPlan> {
  const resolver = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww' }));
  const bodies: string[] = [];
  let revisions = 0;
  for (let from = 0; from < n; from += batch) {
    const docs = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const decision = await resolver.decide(docId(i), leavesOf(i));
      if (!decision) throw new Error('no conflict?');
      docs.push(...planResolution(decision, { db, now: '' }).docs);
    }
    revisions += docs.length;
    bodies.push(JSON.stringify({ docs }));
  }
  return { bodies, revisions, docs: n };
}

/** The planned revisions sent with nothing read, `concurrency` requests in flight: the server's write limit. */
export async function rawLimit(
  client: CouchClient,
  db: string,
  plan: LimitPlan,
  o: { concurrency: number },
): Promise<Run> {
  const { bodies } = plan;
  let next = 0;
  const headers = { 'content-type': 'application/json' };
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < bodies.length) {
        const r = await client.post<Array<{ error?: string }>>(
          `${dbPath(db)}/_bulk_docs`,
          bodies[next++],
          undefined,
          {
            headers,
          },
        );
        if (r.some((x) => x.error)) throw new Error(`limit write: ${JSON.stringify(r.find((x) => x.error))}`);
      }
    }),
  );
  return { docs: plan.docs, revisions: plan.revisions };
}

/**
 * Ours: the `conflicts resolve` operation the CLI and the controller call (lww on updated_at, every
 * resolution audited in a database on the same server before anything is deleted).
 */
export async function ours(
  t: Target,
  db: string,
  n: number,
  o: { batch: number; concurrency: number },
): Promise<Run> {
  const r = await conflictsResolve(
    {
      url: t.url,
      db,
      ...(t.auth ? { user: t.auth.username } : {}),
      strategy: 'lww',
      timestamp: 'updated_at',
      auditDb: `${db}-audit`,
      batchSize: o.batch,
      concurrency: o.concurrency,
    },
    { env: t.auth ? { COUCHMESH_PASSWORD: t.auth.password } : {} },
  );
  if (r.stats.resolved !== n || r.stats.failed)
    throw new Error(`ours resolved ${r.stats.resolved}/${n}, failed ${r.stats.failed}`);
  return { docs: n, revisions: r.stats.revisions };
}

/** Every runner must leave no conflict behind (checked after the clock stops). */
export async function assertResolved(client: CouchClient, db: string, who: string): Promise<void> {
  const left = await listConflicts(client, db, { limit: 1 });
  if (left.length) throw new Error(`${who} left conflicts, e.g. ${left[0]?.id}`);
}
