// The worker against an embedded node: 409s and new leaves arriving mid-resolution, following
// `_changes` from a `_local` checkpoint with a stop signal, the NDJSON audit, dry runs, idempotence.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dbPath, docPath } from '../../src/couch/index.ts';
import {
  CouchAuditSink,
  type JsonObject,
  type Leaf,
  parseConflictsConfig,
  type ResolverEvent,
  ResolverWorker,
  type WorkerOptions,
} from '../../src/resolve/index.ts';
import {
  createDb,
  leafSets,
  poll,
  startTestNode,
  type TestNode,
  winners,
  writeConflicts,
} from './helpers.ts';

const tagsOf = (leaves: Leaf[]) =>
  [...new Set(leaves.flatMap((l) => (l.body.tags as string[]) ?? []))].sort();

describe('resolver worker', () => {
  let n: TestNode;
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-resolve-'));
  before(async () => {
    n = await startTestNode('n');
  });
  after(async () => {
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A worker whose custom strategy is an in-process function (injected through the module loader). */
  async function worker(
    db: string,
    resolve: (leaves: Leaf[], ctx: { winner: string }) => unknown,
    o: Partial<WorkerOptions> = {},
  ) {
    const events: ResolverEvent[] = [];
    const w = await ResolverWorker.create({
      client: n.client,
      db,
      config: parseConflictsConfig({ strategy: 'custom', module: 'inline', batch_size: 10, concurrency: 2 }),
      loader: async () => ({ resolve }),
      onEvent: (e) => events.push(e),
      ...o,
    });
    return { w, events };
  }

  it('a 409 mid-resolution (the winner was edited): re-reads, merges the edit too, loses nothing', async () => {
    await createDb(n, 'race');
    await writeConflicts(n, 'race', 1, 3, (_i, l) => ({ tags: [`leaf${l}`] }));
    let first = true;
    const { w, events } = await worker('race', async (leaves, ctx) => {
      if (first) {
        first = false; // someone edits the winner while we merge
        const cur = await n.client.get<JsonObject>(docPath('race', 'doc-0000'), { rev: ctx.winner });
        await n.client.put(docPath('race', 'doc-0000'), {
          ...cur,
          tags: [...(cur.tags as string[]), 'late edit'],
        });
      }
      return { tags: tagsOf(leaves) };
    });
    const { stats } = await w.runOnce();
    assert.equal(stats.retried, 1);
    assert.equal(stats.resolved, 1);
    assert.ok(events.some((e) => e.type === 'retry' && /conflict/.test(e.reason)));
    const doc = await n.client.get<JsonObject>(docPath('race', 'doc-0000'), { conflicts: true });
    assert.deepEqual(doc.tags, ['late edit', 'leaf0', 'leaf1', 'leaf2']);
    assert.equal(doc._conflicts, undefined);
  });

  it('a new leaf arriving mid-resolution: the next pass resolves it', async () => {
    await createDb(n, 'arrive');
    await writeConflicts(n, 'arrive', 1, 2, (_i, l) => ({ tags: [`leaf${l}`] }));
    let first = true;
    const { w } = await worker('arrive', async (leaves) => {
      if (first) {
        first = false; // replication brings another branch while we merge
        const h = 'e'.repeat(32);
        await n.client.post(`${dbPath('arrive')}/_bulk_docs`, {
          new_edits: false,
          docs: [{ _id: 'doc-0000', _rev: `1-${h}`, _revisions: { start: 1, ids: [h] }, tags: ['arrived'] }],
        });
      }
      return { tags: tagsOf(leaves) };
    });
    const { stats } = await w.runOnce();
    assert.equal(stats.resolved, 2);
    const doc = await n.client.get<JsonObject>(docPath('arrive', 'doc-0000'), { conflicts: true });
    assert.deepEqual(doc.tags, ['arrived', 'leaf0', 'leaf1']);
    assert.equal(doc._conflicts, undefined);
  });

  it('follows _changes from its _local checkpoint until stopped; resumes there; new settings rescan', async () => {
    await createDb(n, 'live');
    const config = parseConflictsConfig({ strategy: 'lww', batch_size: 4, concurrency: 2 });
    const start = async (cfg = config) => {
      const w = await ResolverWorker.create({
        client: n.client,
        db: 'live',
        config: cfg,
        name: 'w1',
        checkpointIntervalMs: 0,
      });
      const stop = new AbortController();
      return { w, stop, done: w.follow({ signal: stop.signal }) };
    };
    const noConflicts = () =>
      poll('no conflicts in live', async () =>
        [...(await winners(n, 'live')).values()].every((w) => !w.conflicts.length),
      );

    const one = await start();
    await writeConflicts(n, 'live', 10, 3, (i, l) => ({ v: i, updated_at: l }), 'a');
    await noConflicts();
    const { update_seq } = await n.client.get<{ update_seq: string }>('/live');
    await poll('checkpoint written', async () => {
      const cp = await n.client
        .get<{ seq: string }>(docPath('live', '_local/couchmesh-resolver-w1'))
        .catch(() => undefined);
      return cp && Number.parseInt(String(cp.seq), 10) >= Number.parseInt(update_seq, 10);
    });
    one.stop.abort();
    const r1 = await one.done;
    assert.equal(r1.stats.resolved, 10);
    assert.equal(r1.stats.phase, 'done');

    // stopped: new conflicts wait; restarted: it resumes from the checkpoint, not from 0
    await writeConflicts(n, 'live', 5, 2, (i, l) => ({ v: i, updated_at: l }), 'b');
    const two = await start();
    await noConflicts();
    two.stop.abort();
    const r2 = await two.done;
    assert.equal(r2.stats.seen, 5);
    assert.ok(r2.stats.clean <= 10, `not a rescan (${r2.stats.clean} clean)`);

    // other settings: declined docs may resolve now, so it scans again from 0
    const three = await start(
      parseConflictsConfig({ strategy: 'lww', timestamp: 'v', batch_size: 4, concurrency: 2 }),
    );
    await poll('rescanned', () => Promise.resolve(three.w.stats.counts.clean >= 15 || undefined));
    three.stop.abort();
    assert.equal((await three.done).stats.seen, 0);
  });

  it('records in an NDJSON file when configured; a second run finds nothing to do', async () => {
    await createDb(n, 'filed');
    await writeConflicts(n, 'filed', 4, 3, (i, l) => ({ v: i, updated_at: l }));
    const file = join(dir, 'audit.ndjson');
    const config = parseConflictsConfig({ strategy: 'lww', audit: { file: 'audit.ndjson' } });
    const w = await ResolverWorker.create({ client: n.client, db: 'filed', config, baseDir: dir });
    assert.equal((await w.runOnce()).stats.resolved, 4);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((e) => e.losers.length),
      [2, 2, 2, 2],
    );
    const again = await w.runOnce();
    assert.deepEqual([again.stats.resolved, again.stats.revisions, again.stats.seen], [0, 0, 0]);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 4);
  });

  /** The node's client, counting the `_changes` rows and the `_bulk_get` leaf reads of the worker. */
  function countingClient() {
    const seen = { rows: 0, leafReads: 0 };
    const client = new Proxy(n.client, {
      get(target, key) {
        if (key === 'changes')
          return async (...a: Parameters<typeof target.changes>) => {
            const page = await target.changes(...a);
            seen.rows += page.results.length;
            return page;
          };
        if (key === 'request')
          return (o: { path: string }) => {
            if (o.path.endsWith('/_bulk_get')) seen.leafReads++;
            return target.request(o as Parameters<typeof target.request>[0]);
          };
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return { client, seen };
  }

  it('one-shot: reads its own writes back once (no seq arithmetic) and does no work for them', async () => {
    await createDb(n, 'quiet');
    await writeConflicts(n, 'quiet', 20, 3, (i, l) => ({ v: i, updated_at: l }));
    const { client, seen } = countingClient();
    const config = parseConflictsConfig({ strategy: 'lww', batch_size: 5, concurrency: 2 });
    const w = await ResolverWorker.create({ client, db: 'quiet', config });
    const { stats } = await w.runOnce();
    assert.equal(stats.resolved, 20);
    // the 20 conflicts, then our 20 writes once: a second rescan would read 60 or more
    assert.ok(seen.rows <= 40, `read ${seen.rows} rows`);
    assert.equal(seen.leafReads, 4, 'leaves read for the 4 batches of conflicts, never for our own writes');
    for (const revs of (await leafSets(n, 'quiet')).values()) assert.equal(revs.length, 3); // winner + 2 tombstones
    assert.equal((await w.runOnce()).stats.resolved, 0);
  });

  it('one-shot: a conflict that arrives in another document mid-run is resolved in the same run', async () => {
    await createDb(n, 'busy');
    await writeConflicts(n, 'busy', 6, 2, (_i, l) => ({ tags: [`leaf${l}`] }));
    let first = true;
    const { w } = await worker('busy', async (leaves) => {
      if (first) {
        first = false; // replication brings a new conflicted document while we merge
        await writeConflicts(n, 'busy', 1, 2, (_i, l) => ({ tags: [`late${l}`] }), 'late');
      }
      return { tags: tagsOf(leaves) };
    });
    const { stats } = await w.runOnce();
    assert.equal(stats.resolved, 7);
    const doc = await n.client.get<JsonObject>(docPath('busy', 'late-0000'), { conflicts: true });
    assert.deepEqual(doc.tags, ['late0', 'late1']);
    assert.equal(doc._conflicts, undefined);
  });

  it('a dry run reports what it would do and writes nothing', async () => {
    await createDb(n, 'dry');
    await writeConflicts(n, 'dry', 3, 2, (i, l) => ({ v: i, updated_at: l }));
    const before = await leafSets(n, 'dry');
    const events: ResolverEvent[] = [];
    const w = await ResolverWorker.create({
      client: n.client,
      db: 'dry',
      config: parseConflictsConfig({ strategy: 'lww' }),
      dryRun: true,
      onEvent: (e) => events.push(e),
    });
    const { stats } = await w.runOnce();
    assert.equal(stats.seen, 3);
    assert.equal(events.filter((e) => e.type === 'planned').length, 3);
    assert.deepEqual(await leafSets(n, 'dry'), before);
  });
});

describe('resolver worker: attachments and design documents', () => {
  let n: TestNode;
  before(async () => {
    n = await startTestNode('att');
    await createDb(n, 'files');
  });
  after(() => n.close());

  it('keeps identical attachments on the merged revision; declines when the leaves carry different ones', async () => {
    const att = (text: string) => ({
      'note.txt': { content_type: 'text/plain', data: Buffer.from(text).toString('base64') },
    });
    const put = (id: string, rev: string, body: Record<string, unknown>) =>
      n.client.post(`${dbPath('files')}/_bulk_docs`, {
        new_edits: false,
        docs: [{ _id: id, _rev: rev, _revisions: { start: 1, ids: [rev.slice(2)] }, ...body }],
      });
    for (const [l, c] of ['a', 'b'].entries()) {
      await put('same', `1-${c.repeat(32)}`, { v: l, updated_at: 2 - l, _attachments: att('hello') });
      await put('differ', `1-${c.repeat(32)}`, { v: l, _attachments: att(`hello ${c}`) });
      await put('_design/app', `1-${c.repeat(32)}`, { v: l });
    }
    const events: ResolverEvent[] = [];
    const w = await ResolverWorker.create({
      client: n.client,
      db: 'files',
      config: parseConflictsConfig({ strategy: 'lww' }),
      onEvent: (e) => events.push(e),
    });
    const { stats } = await w.runOnce();
    assert.deepEqual([stats.resolved, stats.declined], [1, 1]);
    const same = await n.client.get<JsonObject>(docPath('files', 'same'), { conflicts: true });
    assert.equal(same.v, 0, 'lww picked the leaf with the later updated_at, written on the winner');
    assert.equal(same._conflicts, undefined);
    assert.equal((same._attachments as Record<string, { stub?: boolean }>)['note.txt']?.stub, true);
    const res = events.find((e) => e.type === 'resolved');
    const entry = await new CouchAuditSink(n.client).get(res?.type === 'resolved' ? res.entry : '');
    assert.equal(
      entry?.type === 'couchmesh.resolution' && entry.result_rev,
      same._rev,
      'predicted with the attachment digest',
    );
    assert.ok(
      events.some(
        (e) => e.type === 'declined' && e.docId === 'differ' && /different attachments/.test(e.reason),
      ),
    );
    const design = await n.client.get<JsonObject>(docPath('files', '_design/app'), { conflicts: true });
    assert.equal((design._conflicts as string[]).length, 1, 'design documents are left alone');
  });
});
