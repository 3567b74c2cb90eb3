// Must show: undo restores the loser. A resolution's audit entry keeps every losing leaf; undo writes
// the chosen loser's body on top of the current winner (a normal edit that replicates), after
// recording the body it replaces, so the undo loses nothing either.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { docPath } from '../../src/couch/index.ts';
import {
  CouchAuditSink,
  type JsonObject,
  listAuditEntries,
  parseConflictsConfig,
  type ResolutionEntry,
  type ResolverEvent,
  ResolverWorker,
  type UndoEntry,
} from '../../src/resolve/index.ts';
import { tombstoneRev } from '../../src/resolve/revs.ts';
import { undoResolution } from '../../src/resolve/undo.ts';
import { createDb, startTestNode, type TestNode, writeConflicts } from './helpers.ts';

const DB = 'profiles';

describe('undo', () => {
  let n: TestNode;
  const resolved = new Map<string, Extract<ResolverEvent, { type: 'resolved' }>>();
  before(async () => {
    n = await startTestNode('n');
    await createDb(n, DB);
    // doc-0000: two leaves; doc-0001: three leaves (field-merge writes a new merged revision)
    await writeConflicts(n, DB, 1, 2, (_i, l) => ({ name: `v${l}`, updated_at: 10 - l }));
    await writeConflicts(n, DB, 1, 3, (_i, l) => ({ [`f${l}`]: l, field_ts: { [`f${l}`]: l } }), 'multi');
    await writeConflicts(n, DB, 1, 2, (_i, l) => ({ name: `old${l}`, updated_at: 10 - l }), 'old');
    const w = await ResolverWorker.create({
      client: n.client,
      db: DB,
      config: parseConflictsConfig({ strategy: 'lww' }),
      onEvent: (e) => {
        if (e.type === 'resolved') resolved.set(e.docId, e);
      },
    });
    await w.runOnce({ docIds: ['doc-0000', 'old-0000'] });
    const fm = await ResolverWorker.create({
      client: n.client,
      db: DB,
      config: parseConflictsConfig({ strategy: 'field-merge' }),
      onEvent: (e) => {
        if (e.type === 'resolved') resolved.set(e.docId, e);
      },
    });
    await fm.runOnce({ docIds: ['multi-0000'] });
  });
  after(() => n.close());

  const audit = () => new CouchAuditSink(n.client);
  /** An entry as this version stored it (raw: no derived fields), wherever it lives. */
  const storedEntry = async (id: string) =>
    (await listAuditEntries(n.client, 'couchmesh_audit')).find((e) => e._id === id);
  const get = (id: string) => n.client.get<JsonObject>(docPath(DB, id), { conflicts: true });

  it('restores the loser as the winner and records what it replaced', async () => {
    const ev = resolved.get('doc-0000');
    assert.ok(ev, 'doc-0000 was resolved');
    // lww kept the leaf with the latest updated_at (v0), written as a merge on CouchDB's winner (v1)
    const before = await get('doc-0000');
    assert.deepEqual([before.name, before._rev], ['v0', ev.resultRev]);
    // the resolution sits in a batch document (no document of its own); the undo finds it there
    assert.equal((await storedEntry(ev.entry))?._id, ev.entry);
    await assert.rejects(n.client.get(docPath('couchmesh_audit', ev.entry)), { status: 404 });
    const entry = (await audit().get(ev.entry)) as ResolutionEntry;
    assert.deepEqual(entry.parent_body, { name: 'v1', updated_at: 9 }, 'the losing content');

    const r = await undoResolution({
      client: n.client,
      db: DB,
      audit: audit(),
      resolution: ev.entry,
      clock: systemClock,
    });
    assert.equal(r.restoredRev, entry.parent_rev);
    assert.equal(r.parentRev, before._rev);
    const after = await get('doc-0000');
    assert.equal(after._rev, r.newRev);
    assert.deepEqual(
      { name: after.name, updated_at: after.updated_at },
      { name: 'v1', updated_at: 9 },
      'the loser is the winner',
    );
    assert.equal(after._conflicts, undefined);

    const entries = await audit().forDoc('doc-0000');
    assert.deepEqual(
      entries.map((e) => e.type),
      ['couchmesh.resolution', 'couchmesh.undo'],
    );
    const u = entries[1] as UndoEntry;
    assert.equal(u.resolution, ev.entry);
    assert.equal(u.new_rev, r.newRev, 'the predicted rev is the one CouchDB computed');
    assert.deepEqual(u.replaced_body, { name: 'v0', updated_at: 10 });

    // undoing twice is a no-op: nothing written, the earlier undo named
    const again = await undoResolution({
      client: n.client,
      db: DB,
      audit: audit(),
      resolution: ev.entry,
      clock: systemClock,
    });
    assert.deepEqual(again.alreadyUndone, { at: u.recorded_at });
    assert.deepEqual([again.entry, again.newRev], [u._id, r.newRev]);
    assert.equal((await get('doc-0000'))._rev, r.newRev, 'no second write');
    assert.equal((await audit().forDoc('doc-0000')).length, 2, 'no second undo entry');
  });

  it('with several losers, asks which one; restores the chosen one (or the merged-away parent)', async () => {
    const ev = resolved.get('multi-0000');
    assert.ok(ev?.merged, 'field-merge wrote a merged revision');
    assert.equal(ev.losers.length, 2);
    await assert.rejects(
      undoResolution({ client: n.client, db: DB, audit: audit(), resolution: ev.entry, clock: systemClock }),
      (e: Error & { code?: string; hint?: string }) => e.code === 'E_UNDO_REV' && /--rev/.test(e.hint ?? ''),
    );
    const merged = await get('multi-0000');
    assert.deepEqual([merged.f0, merged.f1, merged.f2], [0, 1, 2]);
    const loser = ev.losers[1] as string;
    await undoResolution({
      client: n.client,
      db: DB,
      audit: audit(),
      resolution: ev.entry,
      rev: loser,
      clock: systemClock,
    });
    const after = await get('multi-0000');
    const restored = (await storedEntry(ev.entry)) as ResolutionEntry;
    const body = restored.losers.find((l) => l.rev === loser)?.body;
    assert.deepEqual(Object.fromEntries(Object.entries(after).filter(([k]) => !k.startsWith('_'))), body);
    await assert.rejects(
      undoResolution({
        client: n.client,
        db: DB,
        audit: audit(),
        resolution: 'r:nope:0',
        clock: systemClock,
      }),
      { code: 'E_AUDIT_NOT_FOUND' },
    );
  });

  it('reads and undoes an entry in the shape earlier versions wrote (tombstone_rev and leaves stored)', async () => {
    const ev = resolved.get('old-0000');
    assert.ok(ev, 'old-0000 was resolved');
    // this version stores neither field; the earlier shape is the same entry with both, as it wrote them
    const raw = (await storedEntry(ev.entry)) as ResolutionEntry;
    assert.equal(raw.leaves, undefined);
    assert.equal(raw.losers[0]?.tombstone_rev, undefined);
    // earlier versions wrote it as a document of its own, rev `1-<id hash>`
    const v1 = {
      ...raw,
      _rev: `1-${ev.entry.slice(-32)}`,
      losers: raw.losers.map((l) => ({ ...l, tombstone_rev: tombstoneRev(l.rev) })),
      leaves: [raw.parent_rev, ...raw.losers.map((l) => l.rev)].sort(),
    };
    await n.client.put('/audit_v1');
    await n.client.post('/audit_v1/_bulk_docs', { docs: [v1], new_edits: false });
    const old = new CouchAuditSink(n.client, 'audit_v1');
    const { _rev, ...expected } = v1;
    assert.deepEqual(await old.get(ev.entry), expected, 'an old entry reads as it was stored');
    assert.deepEqual(await audit().get(ev.entry), expected, 'a new entry reads with its derived fields');

    const r = await undoResolution({
      client: n.client,
      db: DB,
      audit: old,
      resolution: ev.entry,
      clock: systemClock,
    });
    const after = await get('old-0000');
    assert.deepEqual([after._rev, after.name], [r.newRev, 'old1'], 'the loser is back');
    const again = await undoResolution({
      client: n.client,
      db: DB,
      audit: old,
      resolution: ev.entry,
      clock: systemClock,
    });
    assert.ok(again.alreadyUndone, 'undo of an old entry stays idempotent');
    assert.equal((await get('old-0000'))._rev, r.newRev);
  });
});
