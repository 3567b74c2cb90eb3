// Properties of merge and stem over random edit histories, some against pouchdb-merge or a reference.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as pouch from 'pouchdb-merge';
import { AV, allRevs, DEL } from './test-support.ts';
import {
  canonical,
  compareRevIds,
  compareRevs,
  conflicts,
  deletedConflicts,
  hasRev,
  leaves,
  mergePath,
  missingRevs,
  parseRev,
  pathFromRevisions,
  type RevNode,
  type RevOpts,
  type RevPath,
  type RevTree,
  stem,
  winner,
} from './tree.ts';

interface History {
  paths: RevPath[];
  depthMax: number;
}

/**
 * A random edit history: node i edits node parent[i] (or starts a new root), hashes are md5s,
 * deleted flags are per revision. Each arriving path is a leaf's history (or an older revision's),
 * optionally missing its oldest `cut` revisions as a sender with a small `_revs_limit` sends it.
 */
const historyArb: fc.Arbitrary<History> = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
    roots: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
    deleted: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
    salt: fc.string({ maxLength: 4 }),
    extra: fc.array(fc.nat(), { maxLength: 4 }),
    cuts: fc.array(fc.nat({ max: 3 }), { minLength: 30, maxLength: 30 }),
  })
  .map(({ parents, roots, deleted, salt, extra, cuts }) => {
    const parent = parents.map((p, i) => (i === 0 || (roots[i] && i % 5 === 0) ? -1 : p % i));
    const hash = parents.map((_, i) => createHash('md5').update(`${salt}/${i}`).digest('hex'));
    const hasKids = new Set(parent);
    const targets = parent.map((_, i) => i).filter((i) => !hasKids.has(i));
    for (const e of extra) targets.push(e % parent.length);
    let depthMax = 0;
    const paths = targets.map((leaf, k) => {
      const ids: string[] = [];
      for (let i = leaf; i >= 0; i = parent[i]!) ids.push(hash[i]!);
      depthMax = Math.max(depthMax, ids.length);
      const keep = Math.max(1, ids.length - cuts[k % cuts.length]!);
      const opts: RevOpts = deleted[leaf] ? DEL : AV;
      return pathFromRevisions({ start: ids.length, ids: ids.slice(0, keep) }, opts);
    });
    return { paths, depthMax };
  });

const orderArb = (h: History) =>
  fc.shuffledSubarray(
    h.paths.map((_, i) => i),
    { minLength: h.paths.length, maxLength: h.paths.length },
  );

function replay(paths: RevPath[], order: number[], limit: number): RevTree {
  let tree: RevTree = [];
  for (const i of order) tree = mergePath(tree, paths[i]!, limit).tree;
  return tree;
}

const summary = (t: RevTree) => ({
  winner: winner(t),
  conflicts: conflicts(t),
  deleted: deletedConflicts(t),
});

describe('properties', () => {
  test('(1) winner and conflicts do not depend on arrival order', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), orderArb(h))),
        ([h, o1, o2]) => {
          assert.deepEqual(summary(replay(h.paths, o1, 1000)), summary(replay(h.paths, o2, 1000)));
        },
      ),
    );
  });
  test('(2) merging the same path twice changes nothing the second time', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h))),
        ([h, order]) => {
          const tree = replay(h.paths, order, 1000);
          for (const p of h.paths) {
            const once = mergePath(tree, p);
            const twice = mergePath(once.tree, p);
            assert.deepEqual(twice.tree, once.tree);
            assert.deepEqual([twice.changed, twice.conflicts, twice.stemmed], [false, 'internal_node', []]);
          }
        },
      ),
    );
  });
  test('(3) replicas receiving the same paths in different orders hold equal trees', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), orderArb(h))),
        ([h, o1, o2]) => {
          assert.deepEqual(canonical(replay(h.paths, o1, 1000)), canonical(replay(h.paths, o2, 1000)));
        },
      ),
    );
  });
  test('(4) stemming keeps every leaf, only nodes near a leaf, cuts linear histories to the limit', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h), fc.integer({ min: 1, max: 8 }))),
        ([h, order, limit]) => {
          const full = replay(h.paths, order, 1000);
          const { tree, stemmed } = stem(full, limit);
          const leafSet = (t: RevTree) =>
            leaves(t)
              .map((l) => `${l.rev}/${l.deleted}`)
              .sort();
          assert.deepEqual(leafSet(tree), leafSet(full));
          assert.deepEqual(winner(tree), winner(full));
          assert.deepEqual(
            [...stemmed].sort(compareRevs),
            allRevs(full).filter((r) => !hasRev(tree, r)),
          );
          for (const root of tree) assert.ok(nearestLeaf(root.ids) < limit);
          for (const p of pouch.rootToLeaf(tree)) assert.ok(p.ids.length <= h.depthMax);
          if (full.length === 1 && leaves(full).length === 1) {
            const [only] = pouch.rootToLeaf(tree);
            assert.equal(only!.ids.length, Math.min(limit, pouch.rootToLeaf(full)[0]!.ids.length));
          }
          // stemming along the way keeps those leaves too; it can add more: an old revision arriving
          // after its position was stemmed comes back as a leaf of its own (as in CouchDB)
          const online = new Set(leafSet(replay(h.paths, order, limit)));
          for (const l of leafSet(full)) assert.ok(online.has(l), l);
        },
      ),
    );
  });
  test('missingRevs reports exactly the unknown revs, in the order of a recursive find_missing', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) =>
          fc.tuple(fc.constant(h), orderArb(h), fc.array(fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 40 })))),
        ),
        ([h, order, picks]) => {
          const tree = replay(h.paths, order, 1000);
          const known = allRevs(tree);
          const asked = picks.map(([i, pos]) => (i < known.length ? known[i]! : `${pos + 1}-nope${i % 3}`));
          assert.deepEqual(missingRevs(tree, asked), findMissingReference(tree, asked));
          const once = [...new Set(asked)];
          assert.deepEqual([...missingRevs(tree, once)].sort(), once.filter((r) => !hasRev(tree, r)).sort());
        },
      ),
    );
  });
  test('rev-id comparison equals bytewise comparison of what couch_doc:parse_revid keeps', () => {
    const id = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F]{32}$/),
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
      fc.constantFrom('f'.repeat(32), 'zzz', '\uffff', '\u{10000}', 'A'.repeat(32), 'a'.repeat(32)),
    );
    fc.assert(
      fc.property(id, id, (a, b) => {
        const bytes = (x: string) => (/^[0-9a-f]{32}$/i.test(x) ? Buffer.from(x, 'hex') : Buffer.from(x));
        assert.equal(Math.sign(compareRevIds(a, b)), Buffer.compare(bytes(a), bytes(b)));
      }),
    );
  });
  test('agrees with pouchdb-merge where pouchdb-merge is right (md5 revs, full histories)', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), orderArb(h))),
        ([h, order]) => {
          let ours: RevTree = [];
          let theirs: RevTree = [];
          for (const i of order) {
            const p = h.paths[i]!;
            if (p.pos !== 1) continue; // full histories only: pouch mishandles partial ones
            ours = mergePath(ours, p).tree;
            theirs = pouch.merge(theirs, structuredClone(p), 1000).tree;
          }
          if (!ours.length) return;
          assert.equal(winner(ours).rev, pouch.winningRev({ rev_tree: theirs }));
          assert.deepEqual(statusOnly(canonical(theirs)), statusOnly(ours));
          assert.deepEqual(
            pouch
              .collectLeaves(theirs)
              .map((l) => `${l.rev}/${!!l.opts.deleted}`)
              .sort(),
            leaves(ours)
              .map((l) => `${l.rev}/${l.deleted}`)
              .sort(),
          );
        },
      ),
    );
  });
});

/** couch_key_tree:find_missing/2, written recursively as CouchDB has it. */
function findMissingReference(tree: RevTree, revs: string[]): string[] {
  type K = { pos: number; hash: string; rev: string };
  const simple = (pos: number, nodes: RevNode[], keys: K[]): K[] => {
    if (keys.length === 0) return [];
    const [node, ...rest] = nodes;
    if (!node) return keys;
    const possible = keys.filter((k) => k.pos >= pos);
    const hit = possible.findIndex((k) => k.pos === pos && k.hash === node[0]);
    if (hit >= 0) possible.splice(hit, 1);
    const fromKids = simple(pos + 1, node[2], possible);
    return keys.filter((k) => k.pos < pos).concat(simple(pos, rest, fromKids));
  };
  let keys: K[] = revs.map((rev) => ({ ...parseRev(rev)!, rev }));
  for (const root of tree) {
    if (keys.length === 0) return [];
    const later = keys.filter((k) => k.pos >= root.pos);
    keys = keys.filter((k) => k.pos < root.pos).concat(simple(root.pos, [root.ids], later));
  }
  return keys.map((k) => k.rev);
}

/** Drops the deleted flags (pouch loses them on upgraded inner nodes, a deviation tested above). */
function statusOnly(tree: RevTree): unknown {
  const strip = (x: RevNode): unknown => [x[0], x[1].status, x[2].map(strip)];
  return tree.map((r) => [r.pos, strip(r.ids)]);
}

/** Largest distance from any node of this subtree to its nearest leaf below. */
function nearestLeaf(node: RevNode): number {
  let worst = 0;
  const dist = (x: RevNode): number => {
    if (x[2].length === 0) return 0;
    const d = 1 + Math.min(...x[2].map(dist));
    worst = Math.max(worst, d);
    return d;
  };
  dist(node);
  return worst;
}
