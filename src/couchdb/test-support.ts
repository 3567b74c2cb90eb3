// Helpers of the revision-tree tests: tree builders, CouchDB sample replay, pouchdb-merge revs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pouch from 'pouchdb-merge';
import {
  compareRevs,
  mergePath,
  newEditParent,
  pathFromRevisions,
  type RevNode,
  type RevOpts,
  type RevPath,
  type RevTree,
} from './tree.ts';

export const SAMPLES = fileURLToPath(new URL('../../test/fixtures/couchdb/samples/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: the samples are free-form JSON
export type Json = any;

export function sample(name: string): { request: { body: Json }; status: number; body: Json } {
  return JSON.parse(readFileSync(`${SAMPLES}${name}`, 'utf8'));
}

export const AV: RevOpts = { status: 'available' };
export const MISSING: RevOpts = { status: 'missing' };
export const DEL: RevOpts = { status: 'available', deleted: true };
export const n = (hash: string, children: RevNode[] = [], opts: RevOpts = AV): RevNode => [
  hash,
  opts,
  children,
];

/** Merge an interactive edit of `parentRev` (or a creation), the way the engine does. */
export function edit(tree: RevTree, parentRev: string | null, hash: string, deleted = false): RevTree {
  const decision = newEditParent(tree, parentRev, { deleted });
  assert.ok(decision.ok, `edit on ${parentRev} refused`);
  const leafOpts = deleted ? DEL : AV;
  const p = decision.parent;
  const path: RevPath = p
    ? { pos: p.pos, ids: n(p.hash, [n(hash, [], leafOpts)]) }
    : { pos: 1, ids: n(hash, [], leafOpts) };
  const merged = mergePath(tree, path, 1000);
  assert.equal(merged.conflicts, 'new_leaf');
  return merged.tree;
}

/** Replays a `_bulk_docs` new_edits=false request body. */
export function replicate(tree: RevTree, docs: Json[]): RevTree {
  for (const d of docs) {
    const leafOpts = d._deleted ? DEL : AV;
    tree = mergePath(tree, pathFromRevisions(d._revisions, leafOpts), 1000).tree;
  }
  return tree;
}

export const allRevs = (tree: RevTree): string[] => {
  const out: string[] = [];
  pouch.traverseRevTree(tree, (_l, pos, hash) => {
    out.push(`${pos}-${hash}`);
  });
  return out.sort(compareRevs);
};
