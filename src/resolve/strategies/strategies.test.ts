import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import type { StrategyOutcome } from '../strategy.ts';
import { extremum } from './extremum.ts';
import { fieldMerge } from './field-merge.ts';
import { lww } from './lww.ts';
import { toTime } from './time.ts';
import { union } from './union.ts';

const rev = (pos: number, c: string) => `${pos}-${c.repeat(32)}`;
const leaf = (r: string, body: JsonObject): Leaf => ({ rev: r, body });
const body = (o: StrategyOutcome) => {
  assert.ok(o.ok, `declined: ${!o.ok && o.reason}`);
  return o.body;
};

describe('lww', () => {
  const s = { timestamp: 'updated_at', missing: 'oldest' as const };
  it('takes the leaf with the latest timestamp, ISO strings and epoch numbers alike', () => {
    const leaves = [
      leaf(rev(3, 'a'), { v: 1, updated_at: '2024-05-01T10:00:00Z' }),
      leaf(rev(1, 'b'), { v: 2, updated_at: '2024-05-01T10:00:01.500Z' }),
      leaf(rev(2, 'c'), { v: 3, updated_at: Date.parse('2024-05-01T10:00:01Z') }),
    ];
    assert.equal(body(lww(leaves, s)).v, 2);
  });
  it('breaks ties by CouchDB winner order (position, then rev id)', () => {
    const leaves = [
      leaf(rev(2, 'a'), { v: 'a', updated_at: 5 }),
      leaf(rev(2, 'f'), { v: 'f', updated_at: 5 }),
    ];
    assert.equal(body(lww(leaves, s)).v, 'f');
    const deeper = [leaf(rev(3, 'a'), { v: 'a3', updated_at: 5 }), ...leaves];
    assert.equal(body(lww(deeper, s)).v, 'a3');
  });
  it('a dotted path reaches nested timestamps; missing ones count as oldest or decline', () => {
    const leaves = [leaf(rev(1, 'a'), { meta: { t: 9 } }), leaf(rev(1, 'b'), { v: 1 })];
    assert.deepEqual(body(lww(leaves, { timestamp: 'meta.t', missing: 'oldest' })), { meta: { t: 9 } });
    const r = lww(leaves, { timestamp: 'meta.t', missing: 'decline' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /leaf 1-b+ has no usable 'meta.t'/);
  });
  it('declines, naming the field, when no leaf has it (a mistyped setting, not a tie to break)', () => {
    const leaves = [leaf(rev(1, 'a'), { updated_at: 9 }), leaf(rev(2, 'b'), { updated_at: 3 })];
    for (const missing of ['oldest', 'decline'] as const) {
      const r = lww(leaves, { timestamp: 'updatedAt', missing });
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /no leaf has a usable timestamp in 'updatedAt'/);
    }
    const u = union(leaves, { fields: ['tags'], timestamp: 'updatedAt' });
    assert.equal(u.ok, false, 'union with a mistyped timestamp declines too');
  });
});

describe('field-merge', () => {
  const s = { timestamps: 'field_ts' };
  it('takes each field from its latest writer and keeps fields added on either side', () => {
    const a = leaf(rev(2, 'a'), { name: 'Ann', city: 'Oslo', field_ts: { name: 10, city: 30 } });
    const b = leaf(rev(2, 'b'), {
      name: 'Anne',
      city: 'Bergen',
      phone: '123',
      field_ts: { name: 20, city: 5, phone: 20 },
    });
    assert.deepEqual(body(fieldMerge([a, b], s)), {
      name: 'Anne',
      city: 'Oslo',
      phone: '123',
      field_ts: { name: 20, city: 30, phone: 20 },
    });
  });
  it('a field removed by the latest writer stays removed; untimed fields come from the winner', () => {
    const a = leaf(rev(2, 'a'), { x: 1, note: 'from a', field_ts: { x: 1 } });
    const b = leaf(rev(2, 'b'), { note: 'from b', extra: true, field_ts: { x: 2 } });
    assert.deepEqual(body(fieldMerge([a, b], s)), { note: 'from b', extra: true, field_ts: { x: 2 } });
  });
  it('declines when a timestamp map is not an object', () => {
    const r = fieldMerge([leaf(rev(1, 'a'), { field_ts: 3 }), leaf(rev(1, 'b'), {})], s);
    assert.equal(r.ok, false);
  });
});

describe('union', () => {
  it('unions set-like arrays (winner first, each element once) and keeps the rest of the winner', () => {
    const a = leaf(rev(1, 'a'), { tags: ['x', { k: 1, j: 2 }], title: 'A' });
    const b = leaf(rev(1, 'b'), { tags: ['y', 'x', { j: 2, k: 1 }], title: 'B', members: null });
    assert.deepEqual(body(union([a, b], { fields: ['tags', 'members'] })), {
      tags: ['y', 'x', { j: 2, k: 1 }],
      title: 'B',
      members: null,
    });
  });
  it('takes the other fields from the last writer when a timestamp is given; declines on non-arrays', () => {
    const a = leaf(rev(1, 'a'), { tags: ['x'], t: 9, title: 'A' });
    const b = leaf(rev(1, 'b'), { tags: ['y'], t: 1, title: 'B' });
    assert.deepEqual(body(union([a, b], { fields: ['tags'], timestamp: 't' })), {
      tags: ['x', 'y'],
      t: 9,
      title: 'A',
    });
    assert.equal(union([a, leaf(rev(1, 'c'), { tags: 'z' })], { fields: ['tags'] }).ok, false);
  });
});

describe('max / min', () => {
  const leaves = [leaf(rev(1, 'a'), { n: 3 }), leaf(rev(1, 'b'), { n: 7 }), leaf(rev(1, 'c'), { n: '99' })];
  it('picks the leaf with the largest / smallest number; non-numbers cannot win', () => {
    assert.equal(body(extremum(leaves, { field: 'n' }, 'max')).n, 7);
    assert.equal(body(extremum(leaves, { field: 'n' }, 'min')).n, 3);
  });
  it('declines when no leaf has a number there', () => {
    assert.equal(extremum(leaves, { field: 'missing' }, 'max').ok, false);
  });
});

describe('toTime', () => {
  it('reads numbers, numeric strings and ISO dates; nothing else', () => {
    assert.equal(toTime(5), 5);
    assert.equal(toTime('12'), 12);
    assert.equal(toTime('1970-01-01T00:00:01Z'), 1000);
    for (const v of [undefined, null, true, 'soon', '', Number.NaN])
      assert.equal(toTime(v as never), undefined);
  });
});
