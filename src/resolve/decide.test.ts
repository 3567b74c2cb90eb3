import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leavesOf, withDerived } from './audit/entry.ts';
import { parseConflictsConfig } from './config.ts';
import { ConflictResolver, type Decision } from './decide.ts';
import { canonicalText } from './json.ts';
import type { FetchedLeaf } from './leaf.ts';
import { planDecline, planResolution } from './plan.ts';
import { tombstoneRev } from './revs.ts';

const rev = (pos: number, c: string) => `${pos}-${c.repeat(32)}`;
const reasonOf = (d: Decision | null) => (d && !d.outcome.ok ? d.outcome.reason : '');
const leaf = (r: string, body: Record<string, unknown>, extra: Partial<FetchedLeaf> = {}): FetchedLeaf =>
  ({ rev: r, deleted: false, body, ...extra }) as FetchedLeaf;

describe('ConflictResolver.decide', () => {
  it('is not a conflict with one live leaf (deleted leaves do not count)', async () => {
    const r = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww' }));
    assert.equal(
      await r.decide('d', [leaf(rev(2, 'a'), {}), leaf(rev(3, 'b'), {}, { deleted: true })]),
      null,
    );
  });

  it('merges on CouchDB winner as parent; losers are the other live leaves; body canonical', async () => {
    const r = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww', timestamp: 't' }));
    const d = await r.decide('d', [
      leaf(rev(1, 'a'), { z: 1, t: 9, a: 1.0 }),
      leaf(rev(2, 'b'), { t: 1 }),
      leaf(rev(3, 'c'), {}, { deleted: true }),
    ]);
    assert.ok(d?.outcome.ok);
    assert.equal(d.parent.rev, rev(2, 'b'));
    assert.deepEqual(
      d.losers.map((l) => l.rev),
      [rev(1, 'a')],
    );
    assert.equal(JSON.stringify(d.outcome.body), '{"a":1,"t":9,"z":1}');
    assert.equal(d.outcome.changed, true);
  });

  it('chooses the strategy by the winner type field; declines unsafe numbers and differing attachments', async () => {
    const r = await ConflictResolver.create(
      parseConflictsConfig({
        strategy: 'lww',
        type_field: 'kind',
        types: { counter: { strategy: 'max', field: 'n' } },
      }),
    );
    const d = await r.decide('d', [
      leaf(rev(1, 'a'), { kind: 'counter', n: 5 }),
      leaf(rev(1, 'b'), { kind: 'counter', n: 2 }),
    ]);
    assert.equal(d?.strategy, 'max');
    assert.equal(d?.type, 'counter');
    assert.ok(d?.outcome.ok && d.outcome.body.n === 5 && d.outcome.changed);

    const big = await r.decide('d', [leaf(rev(1, 'a'), { n: 2 ** 60 }), leaf(rev(1, 'b'), { n: 1 })]);
    assert.match(reasonOf(big), /cannot carry exactly at \$\.n/);

    const stub = { content_type: 'text/plain', digest: 'md5-AAAA', length: 1, revpos: 1, stub: true };
    const atts = await r.decide('d', [
      leaf(rev(1, 'a'), {}, { attachments: { 'a.txt': stub } }),
      leaf(rev(1, 'b'), {}),
    ]);
    assert.match(reasonOf(atts), /different attachments/);
  });
});

describe('planResolution', () => {
  it('writes the merge on the parent plus a tombstone per loser, and names the entry by the outcome only', async () => {
    const r = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww', timestamp: 't' }));
    const leaves = [leaf(rev(1, 'a'), { t: 9, v: 'a' }), leaf(rev(1, 'b'), { t: 1, v: 'b' })];
    const d = await r.decide('doc', leaves);
    assert.ok(d);
    const ctx = { db: 'db' };
    const p1 = planResolution(d, { ...ctx, now: '2024-01-01T00:00:00.000Z', recordedBy: 'n1' });
    const p2 = planResolution(d, { ...ctx, now: '2025-06-01T00:00:00.000Z', recordedBy: 'n2' });
    assert.equal(p1.entry._id, p2.entry._id, 'time and node do not change the entry id');
    assert.match(p1.entry._id, /^r:doc:[0-9a-f]{32}$/);
    assert.deepEqual(p1.docs, [
      { _id: 'doc', _rev: rev(1, 'b'), t: 9, v: 'a' },
      { _id: 'doc', _rev: rev(1, 'a'), _deleted: true },
    ]);
    // what can be derived is not stored: tombstone revs (of the loser revs) and the leaves (parent + losers)
    assert.deepEqual(p1.entry.losers, [{ rev: rev(1, 'a'), body: { t: 9, v: 'a' }, won: true }]);
    assert.equal(p1.entry.leaves, undefined);
    const read = withDerived(p1.entry);
    assert.equal(read.losers[0]?.tombstone_rev, tombstoneRev(rev(1, 'a')));
    assert.deepEqual(p1.entry.parent_body, { t: 1, v: 'b' });
    assert.match(p1.resultRev, /^2-[0-9a-f]{32}$/);
    assert.equal(canonicalText(leavesOf(p1.entry)), canonicalText([rev(1, 'a'), rev(1, 'b')]));
    assert.deepEqual(read.leaves, leavesOf(p1.entry));
  });

  it('keeps the leaves in the entry when carried-over leaves make them more than parent + losers', async () => {
    const r = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww', timestamp: 't' }));
    const carried = [{ rev: rev(1, 'c'), body: { t: 5, v: 'c' } }];
    const d = await r.decide(
      'doc',
      [leaf(rev(1, 'a'), { t: 9, v: 'a' }), leaf(rev(1, 'b'), { t: 1 })],
      carried,
    );
    assert.ok(d);
    const p = planResolution(d, { db: 'db', now: 'x' });
    assert.deepEqual(p.entry.leaves, [rev(1, 'a'), rev(1, 'b'), rev(1, 'c')]);
    assert.deepEqual(leavesOf(p.entry), p.entry.leaves);
  });

  it('only deletes when the merge equals the parent; a decline gets one entry per leaf set and reason', async () => {
    const r = await ConflictResolver.create(parseConflictsConfig({ strategy: 'max', field: 'n' }));
    const d = await r.decide('doc', [leaf(rev(2, 'a'), { n: 9 }), leaf(rev(1, 'b'), { n: 1 })]);
    assert.ok(d?.outcome.ok && !d.outcome.changed);
    const p = planResolution(d, { db: 'db', now: 'x' });
    assert.equal(p.docs.length, 1);
    assert.equal(p.resultRev, rev(2, 'a'));
    assert.equal(p.entry.merged, false);
    assert.equal(p.entry.parent_body, undefined);

    const no = await r.decide('doc', [leaf(rev(1, 'a'), {}), leaf(rev(1, 'b'), {})]);
    assert.ok(no && !no.outcome.ok);
    const e1 = planDecline(no, { db: 'db', now: 'a' });
    assert.equal(e1._id, planDecline(no, { db: 'db', now: 'b' })._id);
    assert.match(e1._id, /^d:doc:/);
    assert.equal(e1.reason, "no leaf has a number in 'n'");
  });
});
