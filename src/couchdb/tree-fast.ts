/**
 * The fast path of a revision-tree write (see `mergePathFast`): what couch_key_tree:merge/2 and
 * stem/2 give for a new document or an edit of a linear tree, computed without walking the tree.
 */
import {
  chain,
  checkLimit,
  DEFAULT_REVS_LIMIT,
  type Item,
  normOpts,
  type RevNode,
  type RevPath,
  type RevTree,
} from './tree.ts';

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
): { tree: RevTree; stemmed: string[]; winner: { rev: string; deleted: boolean } } | undefined {
  checkLimit(revsLimit);
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
