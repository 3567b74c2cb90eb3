/**
 * Read-only queries over revision trees, with CouchDB 3.x orderings. Import from `tree.ts`, which
 * re-exports everything here. Tree format is pouchdb-merge's (tree-types.ts); children are kept sorted by rev-id
 * bytes and roots by (pos, rev-id bytes), as couch_key_tree keeps them.
 */
import { compareRevs, parseRev } from './rev.ts';
import type { LeafInfo, RevNode, RevOpts, RevStatus, RevTree } from './tree-types.ts';
import { traverseRevTree } from './tree-walk.ts';
import { winnerOrder } from './winner.ts';

export * from './rev.ts';
export type * from './tree-types.ts';

const statusOf = (opts: RevOpts): RevStatus => (opts.status === 'missing' ? 'missing' : 'available');

/** All leaves, winner first, then CouchDB's doc_info order. */
export function leaves(tree: RevTree): LeafInfo[] {
  const out: LeafInfo[] = [];
  traverseRevTree(tree, (isLeaf, pos, hash, _ctx, opts) => {
    if (isLeaf)
      out.push({ rev: `${pos}-${hash}`, pos, hash, deleted: !!opts.deleted, status: statusOf(opts) });
  });
  return out.sort(winnerOrder);
}

export function winner(tree: RevTree): { rev: string; pos: number; hash: string; deleted: boolean } {
  const w = leaves(tree)[0];
  if (!w) throw new RangeError('empty revision tree has no winner');
  return { rev: w.rev, pos: w.pos, hash: w.hash, deleted: w.deleted };
}

/** `_conflicts`: non-deleted leaves other than the winner, in doc_info order. */
export function conflicts(tree: RevTree): string[] {
  return leaves(tree)
    .slice(1)
    .filter((l) => !l.deleted)
    .map((l) => l.rev);
}

/** `_deleted_conflicts`: deleted leaves other than the winner, in doc_info order. */
export function deletedConflicts(tree: RevTree): string[] {
  return leaves(tree)
    .slice(1)
    .filter((l) => l.deleted)
    .map((l) => l.rev);
}

/** `open_revs=all` (and `latest=true`) order: fabric sorts the replies ascending by (pos, rev-id bytes). */
export function openRevsAllOrder(tree: RevTree): string[] {
  return leaves(tree)
    .map((l) => l.rev)
    .sort(compareRevs);
}

interface Chain {
  node: RevNode;
  up: Chain | null;
}

/** First node at `pos` with `hash`, depth first in stored order, with its ancestors (node first). */
function locate(tree: RevTree, pos: number, hash: string): RevNode[] | null {
  for (const root of tree) {
    if (pos < root.pos) continue;
    const stack: Array<{ at: Chain; depth: number }> = [
      { at: { node: root.ids, up: null }, depth: root.pos },
    ];
    for (let item = stack.pop(); item; item = stack.pop()) {
      const { at, depth } = item;
      if (depth === pos) {
        if (at.node[0] !== hash) continue;
        const nodes: RevNode[] = [];
        for (let c: Chain | null = at; c; c = c.up) nodes.push(c.node);
        return nodes;
      }
      const kids = at.node[2];
      for (let i = kids.length - 1; i >= 0; i--)
        stack.push({ at: { node: kids[i]!, up: at }, depth: depth + 1 });
    }
  }
  return null;
}

function locateRev(tree: RevTree, rev: string): { pos: number; nodes: RevNode[] } | null {
  const p = parseRev(rev);
  const nodes = p && locate(tree, p.pos, p.hash);
  return p && nodes ? { pos: p.pos, nodes } : null;
}

/** The node for `rev`, and the hashes from it back to the oldest ancestor we know. */
export function findRev(tree: RevTree, rev: string): { node: RevNode; path: string[]; pos: number } | null {
  const found = locateRev(tree, rev);
  if (!found) return null;
  return { node: found.nodes[0]!, path: found.nodes.map((n) => n[0]), pos: found.pos };
}

export function hasRev(tree: RevTree, rev: string): boolean {
  return locateRev(tree, rev) !== null;
}

export function isLeaf(tree: RevTree, rev: string): boolean {
  const found = locateRev(tree, rev);
  return found !== null && found.nodes[0]![2].length === 0;
}

function mustLocate(tree: RevTree, rev: string): { pos: number; nodes: RevNode[] } {
  const found = locateRev(tree, rev);
  if (!found) throw new RangeError(`unknown revision ${rev}`);
  return found;
}

/**
 * `_revisions` for `rev` (`revs=true`). CouchDB's make_doc caps the list at the db's `_revs_limit`;
 * pass it as `revsLimit` (stemming can leave a side branch longer than the limit).
 */
export function revisionsOf(tree: RevTree, rev: string, revsLimit = Number.POSITIVE_INFINITY) {
  const { pos, nodes } = mustLocate(tree, rev);
  return { start: pos, ids: nodes.slice(0, revsLimit).map((n) => n[0]) };
}

/** `_revs_info` for `rev`: missing (no body known) beats deleted beats available; not capped. */
export function revsInfo(
  tree: RevTree,
  rev: string,
): Array<{ rev: string; status: 'available' | 'missing' | 'deleted' }> {
  const { pos, nodes } = mustLocate(tree, rev);
  return nodes.map(([hash, opts], i) => ({
    rev: `${pos - i}-${hash}`,
    status: opts.status === 'missing' ? 'missing' : opts.deleted ? 'deleted' : 'available',
  }));
}

/** `latest=true`: the leaves descending from `rev` (itself if a leaf), in open_revs order; [] if unknown. */
export function latestLeavesFrom(tree: RevTree, rev: string): string[] {
  const found = locateRev(tree, rev);
  if (!found) return [];
  const out: string[] = [];
  const stack: Array<{ node: RevNode; pos: number }> = [{ node: found.nodes[0]!, pos: found.pos }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const kids = item.node[2];
    if (kids.length === 0) out.push(`${item.pos}-${item.node[0]}`);
    for (const k of kids) stack.push({ node: k, pos: item.pos + 1 });
  }
  return out.sort(compareRevs);
}

/**
 * `_revs_diff` possible_ancestors (couch_db:possible_ancestors/2): every leaf, deleted or not, whose
 * pos is below the highest missing pos, in doc_info (winner) order.
 */
export function possibleAncestors(tree: RevTree, missing: string | readonly string[]): string[] {
  const list = typeof missing === 'string' ? [missing] : missing;
  let max = 0;
  for (const r of list) max = Math.max(max, parseRev(r)?.pos ?? 0);
  return leaves(tree)
    .filter((l) => l.pos < max)
    .map((l) => l.rev);
}

type Key = { pos: number; hash: string; rev: string };

/**
 * couch_key_tree:find_missing_simple/3 over a sibling list at depth `pos`, without recursion: each
 * frame is one call; visiting a node sets aside the keys too shallow for it (they lead that call's
 * result) and hands the rest, minus the node itself, to the children; what a call returns is the
 * key list its next sibling (or the caller) continues with.
 */
function missingAmong(pos: number, nodes: RevNode[], keys: Key[]): Key[] {
  const frames: Array<{ pos: number; nodes: RevNode[]; next: number; out: Key[] }> = [
    { pos, nodes, next: 0, out: [] },
  ];
  for (;;) {
    const f = frames[frames.length - 1]!;
    const node = f.nodes[f.next];
    if (keys.length === 0 || !node) {
      keys = f.out.concat(keys);
      frames.pop();
      if (frames.length === 0) return keys;
      continue;
    }
    f.next++;
    f.out = f.out.concat(keys.filter((k) => k.pos < f.pos));
    const possible = keys.filter((k) => k.pos >= f.pos);
    const hit = possible.findIndex((k) => k.pos === f.pos && k.hash === node[0]);
    if (hit >= 0) possible.splice(hit, 1);
    keys = possible;
    frames.push({ pos: f.pos + 1, nodes: node[2], next: 0, out: [] });
  }
}

/**
 * `_revs_diff` missing list: the revs of `revs` the tree lacks (nodes known only by id count as
 * present), in couch_key_tree:find_missing/2 order. Unparsable revs are reported missing.
 */
export function missingRevs(tree: RevTree, revs: readonly string[]): string[] {
  let keys: Key[] = revs.map((rev) => ({ pos: 0, hash: '', ...parseRev(rev), rev }));
  for (const root of tree) {
    if (keys.length === 0) break;
    const later = keys.filter((k) => k.pos >= root.pos);
    keys = keys.filter((k) => k.pos < root.pos).concat(missingAmong(root.pos, [root.ids], later));
  }
  return keys.map((k) => k.rev);
}

export type EditDecision = { ok: true; parent: { pos: number; hash: string } | null } | { ok: false };

/**
 * Interactive edit (new_edits=true) admission, as couch_db:prep_and_validate_update/5 plus
 * couch_db_updater:merge_rev_tree/4 decide it:
 * - no doc: ok without `_rev`, conflict with one;
 * - doc whose every leaf is deleted: only a non-deleted write without `_rev` is accepted, and it
 *   extends the winning deleted leaf; a `_rev` (even the tombstone's) or a deletion is a conflict;
 * - live doc: `_rev` must name a leaf (deleted or losing leaves too); no `_rev` is a conflict.
 */
export function newEditParent(
  tree: RevTree,
  parentRev: string | null,
  edit: { deleted?: boolean } = {},
): EditDecision {
  if (tree.length === 0) return parentRev === null ? { ok: true, parent: null } : { ok: false };
  const all = leaves(tree);
  const w = all[0]!;
  if (w.deleted) {
    if (parentRev !== null || edit.deleted) return { ok: false };
    return { ok: true, parent: { pos: w.pos, hash: w.hash } };
  }
  const p = parentRev === null ? null : parseRev(parentRev);
  const leaf = p && all.find((l) => l.pos === p.pos && l.hash === p.hash && l.status === 'available');
  return leaf ? { ok: true, parent: { pos: leaf.pos, hash: leaf.hash } } : { ok: false };
}
