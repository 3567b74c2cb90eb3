/**
 * The fast path of a revision-tree write (see `mergePathFast`): what couch_key_tree:merge/2 and
 * stem/2 give for a new document or an edit of a linear tree, computed without walking the tree.
 */
import {
  chain,
  checkLimit,
  compareRevIds,
  DEFAULT_REVS_LIMIT,
  type Item,
  normOpts,
  type RevNode,
  type RevOpts,
  type RevPath,
  type RevTree,
  winner,
} from './tree.ts';

type FastMerge = { tree: RevTree; stemmed: string[]; winner: { rev: string; deleted: boolean } };

/**
 * `mergePath` + `winner` for the two cases nearly every write is, without canonicalising, merging
 * and stemming the whole tree: a new document (empty tree, a non-branching path), and an edit whose
 * path is `[parent, child]` with `parent` the only leaf of a linear tree (one root, no branch).
 * Undefined for anything else, and wherever CouchDB would do something special (repeated rev ids,
 * whose stem rebuilds the tree; a stored leaf known only by id): use `mergePath` then. Gives the same
 * tree, stemmed revs (same order) and winner as `mergePath` (tree-fast.test.ts checks it).
 */
export function mergePathFast(
  tree: RevTree,
  path: RevPath,
  revsLimit = DEFAULT_REVS_LIMIT,
): FastMerge | undefined {
  checkLimit(revsLimit);
  if (tree.length > 1 || (tree.length === 1 && !linear(tree[0]!.ids)))
    return extendLeaf(tree, path, revsLimit);
  const items: Item[] = [];
  let pos: number;
  if (tree.length === 0) {
    for (let n: RevNode | undefined = path.ids; n; n = n[2][0]) {
      if (n[2].length > 1) return undefined;
      items.push({ hash: n[0], opts: normOpts(n[1]) });
    }
    pos = path.pos;
  } else {
    const root = tree[0]!;
    const child = path.ids[2][0];
    if (tree.length !== 1 || path.ids[2].length !== 1 || !child || child[2].length !== 0) return undefined;
    for (let n: RevNode = root.ids; ; n = n[2][0]!) {
      if (n[2].length > 1) return undefined;
      items.push({ hash: n[0], opts: normOpts(n[1]) });
      if (n[2].length === 0) break;
    }
    const leaf = items[items.length - 1]!;
    if (
      root.pos + items.length - 1 !== path.pos ||
      leaf.hash !== path.ids[0] ||
      leaf.opts.status === 'missing'
    )
      return undefined;
    items.push({ hash: child[0], opts: normOpts(child[1]) });
    pos = root.pos;
  }
  const leaf = items[items.length - 1]!;
  if (leaf.opts.status === 'missing') return undefined;
  if (items.length > 1) {
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.hash)) return undefined;
      seen.add(it.hash);
    }
  }
  // a linear history keeps its last `revsLimit` revisions
  const cut = Math.max(0, items.length - revsLimit);
  const stemmed: string[] = [];
  for (let i = 0; i < cut; i++) stemmed.push(`${pos + i}-${items[i]!.hash}`);
  return {
    tree: [{ pos: pos + cut, ids: chain(cut ? items.slice(cut) : items) }],
    stemmed,
    winner: { rev: `${pos + items.length - 1}-${leaf.hash}`, deleted: !!leaf.opts.deleted },
  };
}

function linear(n: RevNode): boolean {
  for (let cur = n; cur[2].length; cur = cur[2][0]!) if (cur[2].length > 1) return false;
  return true;
}

/** What `normOpts` gives back unchanged (a stored canonical tree holds only these). */
function normal(o: RevOpts): boolean {
  const n = o.deleted === undefined ? 1 : o.deleted === true ? 2 : 0;
  return n > 0 && (o.status === 'available' || o.status === 'missing') && Object.keys(o).length === n;
}

/**
 * An edit `[parent, child]` of one leaf of a branched tree (several roots, or a root that forks): what
 * a conflict resolution writes, a merged revision on CouchDB's winner and a tombstone on each other
 * leaf. couch_key_tree:merge/2 then hangs `child` under the one node `(pos, parent)` (`new_leaf`),
 * and stem/2 removes nothing while every branch stays shorter than `revsLimit`. Answered only for a
 * canonical tree (sorted roots and children, normalised opts: what the store holds) in which no rev
 * id repeats (or stem rebuilds the tree), whose parent is an available leaf and whose height leaves
 * room for the child. The branch down to the parent is copied; the rest of the tree is shared.
 */
function extendLeaf(tree: RevTree, path: RevPath, revsLimit: number): FastMerge | undefined {
  const child = path.ids[2][0];
  if (path.ids[2].length !== 1 || !child || child[2].length !== 0) return undefined;
  const childOpts = normOpts(child[1]);
  if (childOpts.status === 'missing') return undefined;
  const seen = new Set<string>();
  const trail: RevNode[] = [];
  let found: { root: number; depth: number; trail: RevNode[] } | undefined;
  for (let r = 0; r < tree.length; r++) {
    const root = tree[r]!;
    const prev = tree[r - 1];
    if (prev && (prev.pos - root.pos || compareRevIds(prev.ids[0], root.ids[0])) >= 0) return undefined;
    const stack: Array<[RevNode, number]> = [[root.ids, 0]];
    for (let item = stack.pop(); item; item = stack.pop()) {
      const [node, depth] = item;
      if (seen.has(node[0]) || !normal(node[1]) || depth + 1 >= revsLimit) return undefined;
      seen.add(node[0]);
      trail[depth] = node;
      const kids = node[2];
      for (let i = kids.length - 1; i >= 0; i--) {
        if (i > 0 && compareRevIds(kids[i - 1]![0], kids[i]![0]) >= 0) return undefined;
        stack.push([kids[i]!, depth + 1]);
      }
      if (root.pos + depth === path.pos && node[0] === path.ids[0])
        found = { root: r, depth, trail: trail.slice(0, depth + 1) };
    }
  }
  if (!found || seen.has(child[0])) return undefined;
  const parent = found.trail[found.depth]!;
  if (parent[2].length !== 0 || parent[1].status === 'missing') return undefined;
  // copy the branch root..parent, the new leaf under the parent's copy
  let below: RevNode = [parent[0], parent[1], [[child[0], childOpts, []]]];
  for (let d = found.depth - 1; d >= 0; d--) {
    const n = found.trail[d]!;
    const kids = n[2].slice();
    kids[kids.indexOf(found.trail[d + 1]!)] = below;
    below = [n[0], n[1], kids];
  }
  const out = tree.slice();
  out[found.root] = { pos: tree[found.root]!.pos, ids: below };
  const w = winner(out);
  return { tree: out, stemmed: [], winner: { rev: w.rev, deleted: w.deleted } };
}
