/**
 * The two walks over a revision tree that pouchdb-merge used to provide (same tree format, same
 * visiting order, so callers see exactly what they saw before): `traverseRevTree` (every node,
 * depth first, last root and last child first) and `rootToLeaf` (one path per leaf). pouchdb-merge
 * stays a devDependency only, for the tests that show where CouchDB's couch_key_tree differs from it.
 */
import type { RevNode, RevOpts, RevTree } from './tree-types.ts';

/**
 * Calls `visit(isLeaf, pos, hash, ctx, opts)` on every node; what it returns is the `ctx` its
 * children get (the parent's context, as pouchdb-merge's traverseRevTree passes it).
 */
export function traverseRevTree<C>(
  tree: RevTree,
  visit: (isLeaf: boolean, pos: number, hash: string, ctx: C | undefined, opts: RevOpts) => C | undefined,
): void {
  const stack: Array<{ pos: number; node: RevNode; ctx: C | undefined }> = tree.map((p) => ({
    pos: p.pos,
    node: p.ids,
    ctx: undefined,
  }));
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [hash, opts, children] = top.node;
    const ctx = visit(children.length === 0, top.pos, hash, top.ctx, opts);
    for (const child of children) stack.push({ pos: top.pos + 1, node: child, ctx });
  }
}

/** One root-to-leaf path per leaf: `{pos of its first rev, ids: [{id, opts}] root first}`. */
export interface LeafPath {
  pos: number;
  ids: Array<{ id: string; opts: RevOpts }>;
}

/** Every root-to-leaf path, in pouchdb-merge's rootToLeaf order. */
export function rootToLeaf(tree: RevTree): LeafPath[] {
  const paths: LeafPath[] = [];
  const stack: Array<{ pos: number; node: RevNode; history: LeafPath['ids'] }> = tree.map((p) => ({
    pos: p.pos,
    node: p.ids,
    history: [],
  }));
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [id, opts, children] = top.node;
    const history = [...top.history, { id, opts }];
    if (children.length === 0) paths.push({ pos: top.pos + 1 - history.length, ids: history });
    for (const child of children) stack.push({ pos: top.pos + 1, node: child, history });
  }
  return paths.reverse();
}
