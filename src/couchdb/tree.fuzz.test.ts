// Fuzzing revision trees the way a mesh grows them (VERIFY-CHAOS #16). tree-properties.test.ts
// merges the paths of one fixed history in different orders; here several replicas of one document
// edit it on their own and replicate to each other in a random schedule, as the replicator does
// (the leaves the target is missing, each sent with its `_revisions` capped at the source's
// `_revs_limit`, merged with new_edits=false), then sync until nothing moves. Properties:
// - without stemming, every replica ends with the same tree and winner: the tree of every edit made
//   anywhere (couch_key_tree:merge is a join: order and repetition do not matter);
// - with stemming, every write keeps the winner the unstemmed tree has (stem/2 keeps every leaf), and
//   after the sync no replica misses a leaf another holds. (Their trees may still differ: a revision
//   arriving after its position was stemmed away comes back as a root of its own, as in CouchDB.)
//
// Fixed seed (CI is reproducible); FUZZ_RUNS / FUZZ_SEED raise or change it locally. fast-check
// prints the seed and the shrunk schedule on failure.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AV, DEL } from './test-support.ts';
import {
  canonical,
  leaves,
  mergePath,
  missingRevs,
  newEditParent,
  pathFromRevisions,
  type RevNode,
  type RevPath,
  type RevTree,
  revisionsOf,
  winner,
} from './tree.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 16_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const PARAMS = { seed: SEED, numRuns: RUNS, includeErrorInReport: true };
const NO_STEM = 1000;

type Step =
  | { kind: 'edit'; replica: number; leaf: number; deleted: boolean }
  | { kind: 'replicate'; from: number; to: number };

const stepArb = (replicas: number): fc.Arbitrary<Step> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('edit' as const),
      replica: fc.nat({ max: replicas - 1 }),
      leaf: fc.nat(),
      deleted: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('replicate' as const),
      from: fc.nat({ max: replicas - 1 }),
      to: fc.nat({ max: replicas - 1 }),
    }),
  );

const scheduleArb = fc.integer({ min: 2, max: 4 }).chain((replicas) =>
  fc.record({
    replicas: fc.constant(replicas),
    steps: fc.array(stepArb(replicas), { minLength: 1, maxLength: 40 }),
  }),
);

/** A mesh of replicas of one document, each with its `_revs_limit`; `all` merges every edit made. */
class Mesh {
  readonly trees: RevTree[];
  all: RevTree = [];
  private made = 0;

  constructor(
    replicas: number,
    readonly limit: number,
    /** Called on every write with the tree before it and the path written. */
    private readonly onWrite: (before: RevTree, path: RevPath, limit: number) => void = () => {},
  ) {
    this.trees = Array.from({ length: replicas }, () => []);
  }

  /** An interactive edit on one of the replica's available leaves (or a creation / undelete). */
  edit(r: number, leafPick: number, deleted: boolean): void {
    const tree = this.trees[r]!;
    const open = leaves(tree).filter((l) => l.status === 'available');
    const parentRev = open.length ? open[leafPick % open.length]!.rev : null;
    let decision = newEditParent(tree, parentRev, { deleted });
    if (!decision.ok) decision = newEditParent(tree, null, {}); // every leaf deleted: recreate
    if (!decision.ok) return;
    const hash = createHash('md5')
      .update(`${r}/${this.made++}`)
      .digest('hex');
    const leafOpts = deleted && decision.parent ? DEL : AV;
    const p = decision.parent;
    const path: RevPath = p
      ? { pos: p.pos, ids: [p.hash, AV, [[hash, leafOpts, []]]] }
      : { pos: 1, ids: [hash, leafOpts, []] };
    this.write(r, path);
    this.all = mergePath(this.all, path, NO_STEM).tree;
  }

  /** One replication from -> to: the leaves `to` is missing, with their capped `_revisions`. */
  replicate(from: number, to: number): boolean {
    if (from === to) return false;
    const source = this.trees[from]!;
    const missing = missingRevs(
      this.trees[to]!,
      leaves(source).map((l) => l.rev),
    );
    for (const rev of missing) {
      const leaf = leaves(source).find((l) => l.rev === rev)!;
      this.write(to, pathFromRevisions(revisionsOf(source, rev, this.limit), leaf.deleted ? DEL : AV));
    }
    return missing.length > 0;
  }

  /** Every pair (in `order`, default a-major), again and again, until a whole round moves nothing. */
  sync(order: Array<[number, number]> = this.pairs()): void {
    for (let round = 0; round < 50; round++) {
      let moved = false;
      for (const [a, b] of order) moved = this.replicate(a, b) || moved;
      if (!moved) return;
    }
    assert.fail('the replicas did not stop exchanging revisions');
  }

  pairs(): Array<[number, number]> {
    const n = this.trees.length;
    return Array.from({ length: n * n }, (_, i): [number, number] => [Math.floor(i / n), i % n]);
  }

  /** A copy of this mesh's state (the trees are never mutated in place: sharing them is safe). */
  clone(): Mesh {
    const m = new Mesh(this.trees.length, this.limit, this.onWrite);
    m.trees.splice(0, m.trees.length, ...this.trees);
    m.all = this.all;
    return m;
  }

  private write(r: number, path: RevPath): void {
    this.onWrite(this.trees[r]!, path, this.limit);
    this.trees[r] = mergePath(this.trees[r]!, path, this.limit).tree;
  }
}

/**
 * A tree's revisions and leaves, without what only the holder knows: which ancestors' bodies it kept
 * (a replicated ancestor arrives as 'missing', an edited one is 'available' on its own replica).
 */
function shape(tree: RevTree): unknown {
  const strip = (x: RevNode): unknown => [x[0], x[2].map(strip)];
  const c = canonical(tree);
  return { revs: c.map((r) => [r.pos, strip(r.ids)]), leaves: leaves(c).map((l) => `${l.rev}/${l.deleted}`) };
}

function run(mesh: Mesh, steps: Step[]): Mesh {
  for (const s of steps)
    if (s.kind === 'edit') mesh.edit(s.replica, s.leaf, s.deleted);
    else mesh.replicate(s.from, s.to);
  mesh.sync();
  return mesh;
}

describe(`revision trees replicated in random schedules (seed ${SEED}, ${RUNS} runs per property)`, () => {
  test('without stemming: every replica converges to the tree of all edits, and to its winner', () => {
    fc.assert(
      fc.property(scheduleArb, ({ replicas, steps }) => {
        const mesh = run(new Mesh(replicas, NO_STEM), steps);
        if (mesh.all.length === 0) return;
        const expected = shape(mesh.all);
        for (const t of mesh.trees) {
          assert.deepEqual(shape(t), expected);
          assert.deepEqual(winner(t), winner(mesh.all));
        }
      }),
      PARAMS,
    );
  });

  test('the converged tree does not depend on the order the replicas sync in', () => {
    fc.assert(
      fc.property(
        scheduleArb.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(
              Array.from({ length: s.replicas ** 2 }, (_, i) => i),
              { minLength: s.replicas ** 2, maxLength: s.replicas ** 2 },
            ),
          ),
        ),
        ([{ replicas, steps }, order]) => {
          const before = new Mesh(replicas, NO_STEM);
          for (const s of steps)
            if (s.kind === 'edit') before.edit(s.replica, s.leaf, s.deleted);
            else before.replicate(s.from, s.to);
          const a = before.clone();
          const b = before.clone();
          a.sync();
          b.sync(order.map((i) => b.pairs()[i]!));
          for (let r = 0; r < replicas; r++) assert.deepEqual(shape(a.trees[r]!), shape(b.trees[r]!));
        },
      ),
      PARAMS,
    );
  });

  test('with stemming: every write keeps the unstemmed winner, and the sync leaves no leaf missing', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: 1, max: 5 }), ({ replicas, steps }, limit) => {
        const onWrite = (before: RevTree, path: RevPath, k: number) => {
          const full = mergePath(before, path, NO_STEM).tree;
          const stemmed = mergePath(before, path, k).tree;
          assert.deepEqual(winner(stemmed), winner(full), `limit ${k}`);
          assert.deepEqual(
            leaves(stemmed).map((l) => `${l.rev}/${l.deleted}`),
            leaves(full).map((l) => `${l.rev}/${l.deleted}`),
          );
        };
        const mesh = run(new Mesh(replicas, limit, onWrite), steps);
        for (const a of mesh.trees)
          for (const b of mesh.trees)
            assert.deepEqual(
              missingRevs(
                b,
                leaves(a).map((l) => l.rev),
              ),
              [],
            );
      }),
      PARAMS,
    );
  });
});
