// Declarations for the parts of pouchdb-merge@9 (Apache-2.0) that couchmesh uses.
declare module 'pouchdb-merge' {
  interface PouchRevOpts {
    status?: 'available' | 'missing';
    deleted?: boolean;
  }
  type PouchRevNode = [hash: string, opts: PouchRevOpts, children: PouchRevNode[]];
  type PouchRevTree = Array<{ pos: number; ids: PouchRevNode }>;

  /** Visits every node (depth first); the callback's return value becomes `ctx` for the node's children. */
  export function traverseRevTree(
    revs: PouchRevTree,
    callback: (isLeaf: boolean, pos: number, id: string, ctx: unknown, opts: PouchRevOpts) => unknown,
  ): void;
  /** Every root-to-leaf path; `pos` is the position of the path's first (root) node. */
  export function rootToLeaf(
    revs: PouchRevTree,
  ): Array<{ pos: number; ids: Array<{ id: string; opts: PouchRevOpts }> }>;
  export function winningRev(metadata: { rev_tree: PouchRevTree }): string;
  export function collectLeaves(revs: PouchRevTree): Array<{ rev: string; opts: PouchRevOpts }>;
  export function collectConflicts(metadata: { rev_tree: PouchRevTree }): string[];
  /** Mutates `tree`. */
  export function merge(
    tree: PouchRevTree,
    path: { pos: number; ids: PouchRevNode },
    depth: number,
  ): { tree: PouchRevTree; stemmedRevs: string[]; conflicts: 'new_leaf' | 'new_branch' | 'internal_node' };
  export function revExists(revs: PouchRevTree, rev: string): boolean;
  export function latest(rev: string, metadata: { rev_tree: PouchRevTree }): string;
}
