/**
 * Revision trees, behaving like CouchDB 3.x `couch_key_tree` (merge, stem) and
 * `couch_doc:to_doc_info_path` (winner, conflicts). The tree format is pouchdb-merge's (walked by
 * tree-walk.ts). pouchdb-merge's merge, stem, winner and leaf order deviate from CouchDB; see
 * tree.test.ts ("pouchdb-merge deviations") for each one, shown against pouchdb-merge itself.
 *
 * What CouchDB does and this module reproduces:
 * - merge (couch_key_tree:merge/2): the path goes into the first root (roots sorted by pos, rev-id
 *   bytes) that holds the path's node at the deeper of the two start positions; the path may add
 *   ancestors above a stemmed root. A node known only by id ('missing') takes the incoming value;
 *   otherwise the stored value wins. Result: `new_leaf` (extends a leaf, or first path),
 *   `new_branch` (new sibling or unconnected new root), `internal_node` (nothing new below).
 * - stem (couch_key_tree:stem/2), after every merge: a node survives iff it is one of the last
 *   `revsLimit` revisions of at least one leaf below it, and edges between survivors are kept. So a
 *   long branch forking off a short one can keep more than `revsLimit` revisions on its path; a
 *   linear history is cut to exactly `revsLimit`. If a rev id occurs twice in the tree (a merge
 *   touched two roots), CouchDB instead rebuilds the tree from every leaf path cut to `revsLimit`,
 *   merged back in sorted order; so does this.
 */
import {
  compareRevIds,
  parseRevId,
  type RevNode,
  type RevOpts,
  type RevPath,
  type RevTree,
} from './tree-query.ts';
import { rootToLeaf, traverseRevTree } from './tree-walk.ts';

export * from './tree-query.ts';

export type MergeResult = 'new_leaf' | 'new_branch' | 'internal_node';
export const DEFAULT_REVS_LIMIT = 1000;

/** One revision of a path, root first (shared with tree-fast.ts). */
export type Item = { hash: string; opts: RevOpts };

export function normOpts(o: RevOpts): RevOpts {
  const status = o.status === 'missing' ? 'missing' : 'available';
  return o.deleted ? { status, deleted: true } : { status };
}

/** Root-first items -> a linear chain of nodes. */
export function chain(items: readonly Item[]): RevNode {
  let node: RevNode | null = null;
  for (let i = items.length - 1; i >= 0; i--)
    node = [items[i]!.hash, { ...items[i]!.opts }, node ? [node] : []];
  if (!node) throw new RangeError('empty revision path');
  return node;
}

/**
 * The linear path for a doc carrying `_revisions` (ids newest first): ancestors are 'missing' (known
 * by id only), the leaf gets `leafOpts`. 32-hex ids are lowercased as CouchDB does; throws RangeError
 * on an empty list, an invalid id, or `start` smaller than the number of ids.
 */
export function pathFromRevisions(
  revisions: { start: number; ids: readonly string[] },
  leafOpts: RevOpts,
): RevPath {
  const { start, ids } = revisions;
  if (!Number.isSafeInteger(start) || ids.length === 0 || start < ids.length)
    throw new RangeError(`invalid _revisions: start ${start} with ${ids.length} ids`);
  const items = ids.map((id, i): Item => {
    const hash = parseRevId(id);
    if (hash === null) throw new RangeError(`invalid revision id ${JSON.stringify(id)}`);
    return { hash, opts: i === 0 ? normOpts(leafOpts) : { status: 'missing' } };
  });
  return { pos: start - ids.length + 1, ids: chain(items.reverse()) };
}

function flatten(path: RevPath): Item[] {
  const items: Item[] = [];
  for (let n: RevNode | undefined = path.ids; n; n = n[2][0]) {
    if (n[2].length > 1) throw new RangeError('a revision path must not branch');
    items.push({ hash: n[0], opts: normOpts(n[1]) });
  }
  return items;
}

/** Deep copy with normalised opts, children sorted by rev-id bytes, roots by (pos, rev-id bytes). */
export function canonical(tree: RevTree): RevTree {
  const copy = (src: RevNode): RevNode => {
    const top: RevNode = [src[0], normOpts(src[1]), []];
    const stack: Array<[RevNode, RevNode]> = [[src, top]];
    for (let pair = stack.pop(); pair; pair = stack.pop()) {
      const kids =
        pair[0][2].length > 1 ? pair[0][2].slice().sort((a, b) => compareRevIds(a[0], b[0])) : pair[0][2];
      for (const k of kids) {
        const c: RevNode = [k[0], normOpts(k[1]), []];
        pair[1][2].push(c);
        stack.push([k, c]);
      }
    }
    return top;
  };
  return sortRoots(tree.map((r) => ({ pos: r.pos, ids: copy(r.ids) })));
}

function sortRoots(tree: RevTree): RevTree {
  return tree.sort((a, b) => a.pos - b.pos || compareRevIds(a.ids[0], b.ids[0]));
}

/** couch_key_tree value_pref: a node known only by id takes the incoming value; else the stored one stays. */
const pref = (stored: RevOpts, incoming: RevOpts): RevOpts =>
  stored.status === 'missing' ? incoming : stored;

/** First node `depth` levels below `root` (depth first, sorted children) whose id is `hash`. */
function nodeBelow(root: RevNode, depth: number, hash: string): RevNode | null {
  const stack: Array<[RevNode, number]> = [[root, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, d] = item;
    if (d === depth) {
      if (node[0] === hash) return node;
      continue;
    }
    for (let i = node[2].length - 1; i >= 0; i--) stack.push([node[2][i]!, d + 1]);
  }
  return null;
}

/** couch_key_tree merge_extend: `node` is the stored twin of items[from]; walk the rest of the path down. */
function extend(node: RevNode, items: readonly Item[], from: number): MergeResult {
  node[1] = pref(node[1], items[from]!.opts);
  for (let k = from + 1; k < items.length; k++) {
    const kids = node[2];
    const next = items[k]!;
    const twin = kids.find((c) => c[0] === next.hash);
    if (twin) {
      twin[1] = pref(twin[1], next.opts);
      node = twin;
      continue;
    }
    const branch = chain(items.slice(k));
    if (kids.length === 0) {
      kids.push(branch);
      return 'new_leaf';
    }
    const at = kids.findIndex((c) => compareRevIds(c[0], next.hash) > 0);
    kids.splice(at < 0 ? kids.length : at, 0, branch);
    return 'new_branch';
  }
  return 'internal_node';
}

/** couch_key_tree:merge/2 of one linear path into a canonical tree that we own (mutated). */
function mergeOne(tree: RevTree, path: RevPath): { tree: RevTree; result: MergeResult } {
  const items = flatten(path);
  if (tree.length === 0) return { tree: [{ pos: path.pos, ids: chain(items) }], result: 'new_leaf' };
  for (let i = 0; i < tree.length; i++) {
    const root = tree[i]!;
    const d = root.pos - path.pos;
    let result: MergeResult | null = null;
    let ids = root.ids;
    if (d >= 0 && d < items.length && items[d]!.hash === root.ids[0]) {
      result = extend(root.ids, items, d);
      if (d > 0) {
        // the path knows ancestors of this (stemmed) root: they go back on top of it
        ids = chain(items.slice(0, d));
        let last = ids;
        while (last[2][0]) last = last[2][0];
        last[2].push(root.ids);
      }
    } else if (d < 0) {
      const twin = nodeBelow(root.ids, -d, items[0]!.hash);
      if (twin) result = extend(twin, items, 0);
    }
    if (result) {
      tree[i] = { pos: Math.min(root.pos, path.pos), ids };
      return { tree: sortRoots(tree), result };
    }
  }
  tree.push({ pos: path.pos, ids: chain(items) });
  return { tree: sortRoots(tree), result: 'new_branch' };
}

function revSet(tree: RevTree): Set<string> {
  const revs = new Set<string>();
  traverseRevTree(tree, (_leaf, pos, hash) => {
    revs.add(`${pos}-${hash}`);
  });
  return revs;
}

function hasRepeatedIds(tree: RevTree): boolean {
  const seen = new Set<string>();
  let repeated = false;
  traverseRevTree(tree, (_leaf, _pos, hash) => {
    if (seen.has(hash)) repeated = true;
    seen.add(hash);
  });
  return repeated;
}

/** Keep the nodes within `limit` of their nearest leaf; a survivor whose parent goes becomes a root. */
function stemNearLeaves(tree: RevTree, limit: number): { tree: RevTree; stemmed: string[] } {
  const out: RevTree = [];
  const stemmed: string[] = [];
  for (const root of tree) {
    // preorder with parent links, then nearest-leaf distances bottom-up
    const order: Array<{ node: RevNode; pos: number; parent: number; dist: number; copy: RevNode | null }> =
      [];
    const stack: Array<[RevNode, number, number]> = [[root.ids, root.pos, -1]];
    for (let item = stack.pop(); item; item = stack.pop()) {
      const [node, pos, parent] = item;
      order.push({ node, pos, parent, dist: node[2].length ? Number.POSITIVE_INFINITY : 0, copy: null });
      const self = order.length - 1;
      for (let i = node[2].length - 1; i >= 0; i--) stack.push([node[2][i]!, pos + 1, self]);
    }
    for (let i = order.length - 1; i > 0; i--) {
      const e = order[i]!;
      const p = order[e.parent]!;
      p.dist = Math.min(p.dist, e.dist + 1);
    }
    for (const e of order) {
      if (e.dist >= limit) {
        stemmed.push(`${e.pos}-${e.node[0]}`);
        continue;
      }
      e.copy = [e.node[0], e.node[1], []];
      const parentCopy = e.parent >= 0 ? order[e.parent]!.copy : null;
      if (parentCopy) parentCopy[2].push(e.copy);
      else out.push({ pos: e.pos, ids: e.copy });
    }
  }
  return { tree: sortRoots(out), stemmed };
}

/** couch_key_tree repair_tree: every leaf path cut to `limit`, sorted, merged back from nothing. */
function rebuildFromLeafPaths(tree: RevTree, limit: number): RevTree {
  const rank = (o: RevOpts) => (o.status === 'missing' ? 2 : o.deleted ? 1 : 0);
  const paths = rootToLeaf(tree).map((p) => {
    const items = p.ids.slice(-limit).map(({ id, opts }) => ({ hash: id, opts: normOpts(opts) }));
    return { start: p.pos + p.ids.length - items.length, items };
  });
  paths.sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    // Erlang order of the leaf-first [{RevId, Value}] lists
    for (let i = a.items.length - 1, j = b.items.length - 1; i >= 0 && j >= 0; i--, j--) {
      const x = a.items[i]!;
      const y = b.items[j]!;
      const c = compareRevIds(x.hash, y.hash) || rank(x.opts) - rank(y.opts);
      if (c) return c;
    }
    return a.items.length - b.items.length;
  });
  let out: RevTree = [];
  for (const p of paths) out = mergeOne(out, { pos: p.start, ids: chain(p.items) }).tree;
  return out;
}

/** stem/2 on a canonical tree we own; the result is canonical too. */
function stemOwned(tree: RevTree, limit: number): { tree: RevTree; stemmed: string[] } {
  if (!hasRepeatedIds(tree)) return stemNearLeaves(tree, limit);
  const out = rebuildFromLeafPaths(tree, limit);
  const kept = revSet(out);
  return { tree: out, stemmed: [...revSet(tree)].filter((r) => !kept.has(r)) };
}

export function checkLimit(revsLimit: number): void {
  if (!Number.isSafeInteger(revsLimit) || revsLimit < 1)
    throw new RangeError(`invalid revs limit ${revsLimit}`);
}

/** couch_key_tree:stem/2. Returns a new tree and the revs it no longer holds. */
export function stem(tree: RevTree, revsLimit: number): { tree: RevTree; stemmed: string[] } {
  checkLimit(revsLimit);
  return stemOwned(canonical(tree), revsLimit);
}

/** Deep equality of two canonical trees (iterative: trees can be deeper than the call stack). */
function sameTree(a: RevTree, b: RevTree): boolean {
  if (a.length !== b.length) return false;
  const stack: Array<[RevNode, RevNode]> = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.pos !== b[i]!.pos) return false;
    stack.push([a[i]!.ids, b[i]!.ids]);
  }
  for (let pair = stack.pop(); pair; pair = stack.pop()) {
    const [x, y] = pair;
    if (x[0] !== y[0] || x[1].status !== y[1].status || !x[1].deleted !== !y[1].deleted) return false;
    if (x[2].length !== y[2].length) return false;
    for (let i = 0; i < x[2].length; i++) stack.push([x[2][i]!, y[2][i]!]);
  }
  return true;
}

export interface MergeOutcome {
  tree: RevTree;
  conflicts: MergeResult;
  /** Revs the tree held (or the path named) that stemming removed: drop their bodies. */
  stemmed: string[];
  /** False when the tree is exactly as before (e.g. the path was already known). */
  changed: boolean;
}

/**
 * Merge several paths (one `_bulk_docs` batch for one doc) in order, then stem once, as
 * couch_db_updater does. Inputs are not modified.
 */
export function mergePaths(
  tree: RevTree,
  paths: readonly RevPath[],
  revsLimit = DEFAULT_REVS_LIMIT,
): { tree: RevTree; results: MergeResult[]; stemmed: string[]; changed: boolean } {
  checkLimit(revsLimit);
  const before = canonical(tree);
  let work = canonical(tree);
  const results = paths.map((p) => {
    const merged = mergeOne(work, p);
    work = merged.tree;
    return merged.result;
  });
  const stemmed = stemOwned(work, revsLimit);
  return { ...stemmed, results, changed: !sameTree(before, stemmed.tree) };
}

/** Merge one path, then stem to `revsLimit` (CouchDB `_revs_limit`). Inputs are not modified. */
export function mergePath(tree: RevTree, path: RevPath, revsLimit = DEFAULT_REVS_LIMIT): MergeOutcome {
  const { results, ...rest } = mergePaths(tree, [path], revsLimit);
  return { ...rest, conflicts: results[0]! };
}
