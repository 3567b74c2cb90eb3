import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { DbStore } from '../store/db-store.ts';
import { renderDoc } from './doc-render.ts';
import { headState } from './doc-state.ts';

const store = new DbStore(':memory:');
const never = { docTree: () => ({ seq: 1, tree: '[{"pos":1,"ids":["a",{"status":"available"},[]]}]' }) };
const state = (id: string) => headState({ id, seq: 1, winner: '1-a', deleted: 0, leaves: '["1-a"]' }, never);

// the general path, as renderDoc wrote every revision before its plain splice
function general(id: string, rev: { rev: string; body: string; deleted: number }): string {
  let out = `{"_id":${JSON.stringify(id)},"_rev":${JSON.stringify(rev.rev)}`;
  const inner = rev.body.length > 2 ? rev.body.slice(1, -1) : '';
  if (inner) out += `,${inner}`;
  if (rev.deleted) out += ',"_deleted":true';
  return `${out}}`;
}

it('a plain read (no options, no attachments) splices the stored body exactly as the general path did', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary' }),
      fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
      fc.constantFrom(0, 1),
      fc.constantFrom(null, '[]'),
      (id, r, body, deleted, atts) => {
        const rev = { doc_id: id, rev: r, body: JSON.stringify(body), atts, deleted };
        assert.equal(renderDoc({ store, afterRead: undefined }, state(id), rev), general(id, rev));
        assert.equal(
          renderDoc({ store, afterRead: undefined }, state(id), rev, { attachments: 'data' }),
          general(id, rev),
        );
      },
    ),
    { numRuns: 2000 },
  );
});

it('a read hook still sees the finished document, and options still add their members', () => {
  const rev = { doc_id: 'x', rev: '1-a', body: '{"secret":1,"v":2}', atts: null, deleted: 0 };
  const afterRead = (doc: Record<string, unknown>) => ({ ...doc, secret: undefined });
  const viewer = { name: 'u', roles: [] };
  assert.equal(
    renderDoc({ store, afterRead }, state('x'), rev, { viewer }),
    '{"_id":"x","_rev":"1-a","v":2}',
  );
  assert.equal(renderDoc({ store, afterRead }, state('x'), rev), '{"_id":"x","_rev":"1-a","secret":1,"v":2}');
  assert.equal(
    renderDoc({ store, afterRead: undefined }, state('x'), rev, { revs: true, localSeq: true }),
    '{"_id":"x","_rev":"1-a","secret":1,"v":2,"_revisions":{"start":1,"ids":["a"]},"_local_seq":1}',
  );
});
