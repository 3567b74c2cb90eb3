// The worker against servers whose update seqs are not the embedded node's: it must not decide what
// to read from seq arithmetic (CouchDB's seqs are opaque; couchdb/seq.ts). The node is shown through
// a client that rewrites its seqs into another server's format: real node, foreign seq format.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ChangesResponse, dbPath, docPath } from '../../src/couch/index.ts';
import { seqNumber } from '../../src/couchdb/seq.ts';
import { type JsonObject, parseConflictsConfig, ResolverWorker } from '../../src/resolve/index.ts';
import { createDb, suiteNode, type TestNode, writeConflicts } from './helpers.ts';

/**
 * The node as a CouchDB 1.x server shows it: integer seqs, one per commit. CouchDB's updater commits
 * the updates that arrive together, and a document updated twice in one commit moves to one new seq
 * (couch_db_updater merges them). Before the resolver's first `_bulk_docs`, a replicated leaf of the
 * same document arrives and lands in the same commit as the resolution: one seq for both.
 */
function couchDb1Client(n: TestNode, db: string, foreignLeaf: Record<string, unknown>) {
  let shared: number | undefined; // the node seq merged into the one before it
  const out = (seq: unknown): number => {
    const x = seqNumber(seq as string) as number;
    return shared !== undefined && x >= shared ? x - 1 : x;
  };
  const into = (since: unknown) =>
    typeof since === 'number' && shared !== undefined && since >= shared - 1 ? since + 1 : since;
  const bulkDocs = `${dbPath(db)}/_bulk_docs`;
  return new Proxy(n.client, {
    get(target, key) {
      if (key === 'changes')
        return async (o: Parameters<typeof target.changes>[0]) => {
          const page = (await target.changes({ ...o, since: into(o.since) as number })) as ChangesResponse;
          return {
            ...page,
            last_seq: out(page.last_seq),
            results: page.results.map((r) => ({ ...r, seq: out(r.seq) })),
          };
        };
      if (key === 'get')
        return async (path: string, ...rest: unknown[]) => {
          const r = await (target.get as (...a: unknown[]) => Promise<Record<string, unknown>>)(
            path,
            ...rest,
          );
          return path === dbPath(db) ? { ...r, update_seq: out(r.update_seq) } : r;
        };
      if (key === 'post')
        return async (path: string, ...rest: unknown[]) => {
          if (path === bulkDocs && shared === undefined) {
            await target.post(bulkDocs, { docs: [foreignLeaf], new_edits: false });
            const info = await target.get<{ update_seq: string }>(dbPath(db));
            shared = (seqNumber(info.update_seq) as number) + 1;
          }
          return (target.post as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
        };
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('resolver worker: seqs in a foreign format', () => {
  const node = suiteNode('n');

  it('one-shot: a leaf that shares a commit (and a seq) with our resolution is still resolved in the run', async () => {
    const n = node();
    await createDb(n, 'onecommit');
    await writeConflicts(n, 'onecommit', 1, 2, (_i, l) => ({ v: l, updated_at: l }));
    const id = 'doc-0000';
    const late = 'f'.repeat(32);
    const client = couchDb1Client(n, 'onecommit', {
      _id: id,
      _rev: `1-${late}`,
      _revisions: { start: 1, ids: [late] },
      v: 9,
      updated_at: 9,
    });
    const config = parseConflictsConfig({ strategy: 'lww', batch_size: 5, concurrency: 1 });
    const w = await ResolverWorker.create({ client, db: 'onecommit', config });
    const { stats } = await w.runOnce();
    assert.equal(stats.resolved, 2, 'the conflict, then the one the replicated leaf made');
    const doc = await n.client.get<JsonObject>(docPath('onecommit', id), { conflicts: true });
    assert.equal(doc._conflicts, undefined);
    assert.equal(doc.v, 9);
  });
});
