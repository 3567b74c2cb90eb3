/**
 * The one adapter between the controller and the conflict operations (src/ops/conflicts.ts): the
 * controller resolves every database whose mesh.yaml `databases[].conflicts` block asks for it, on
 * the node(s) the block names (`node: n1`, `node: [n1, n2]` or `node: all`; default the first node
 * carrying the database). Resolving on several nodes converges: a resolution's rev id is a hash of
 * its parent and body (CouchDB's deterministic rev ids), so the same resolution made on two nodes is
 * the same revision. Kept in one small file so the mesh-aware conflicts operation merges here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { conflictsList, conflictsResolve, conflictsUndo, type ResolveResult } from '../ops/conflicts.ts';
import type { MeshDeps } from '../ops/deps.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import type { NodeSpec } from '../spec/types.ts';

export interface ConflictsPolicy {
  db: string;
  nodes: string[];
  /** the block without `node`, module paths made absolute (relative to the mesh file) */
  block: Record<string, unknown>;
}

function absoluteModules(block: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const fix = (s: unknown): unknown => {
    if (!s || typeof s !== 'object') return s;
    const o = { ...(s as Record<string, unknown>) };
    if (typeof o.module === 'string' && !isAbsolute(o.module)) o.module = resolve(baseDir, o.module);
    return o;
  };
  const out = fix(block) as Record<string, unknown>;
  if (out.types && typeof out.types === 'object')
    out.types = Object.fromEntries(
      Object.entries(out.types as Record<string, unknown>).map(([k, v]) => [k, fix(v)]),
    );
  return out;
}

/** Every database whose mesh.yaml block asks for conflict resolution, with its nodes. */
export function conflictPolicies(m: Pick<OpenMesh, 'spec' | 'links' | 'file'>): ConflictsPolicy[] {
  const out: ConflictsPolicy[] = [];
  for (const d of m.spec.databases) {
    if (!d.conflicts) continue;
    const { node, ...rest } = d.conflicts;
    const carrying = m.spec.nodes
      .map((n) => n.name)
      .filter((n) => m.links.some((l) => l.db === d.name && l.directions.some((x) => x.from === n)));
    const nodes =
      node === 'all'
        ? carrying
        : typeof node === 'string'
          ? [node]
          : Array.isArray(node)
            ? node.map(String)
            : carrying.slice(0, 1);
    out.push({ db: d.name, nodes, block: absoluteModules(rest, dirname(resolve(m.file))) });
  }
  return out;
}

/** The conflict operations connect by URL + user with the password in the environment. */
function target(m: OpenMesh, node: string, db: string, deps: MeshDeps) {
  const n = m.spec.nodes.find((x) => x.name === node) as NodeSpec;
  const password = n.auth ? m.passwordOf(n) : undefined;
  return {
    f: { url: n.url, db, ...(n.auth ? { user: n.auth.username } : {}) },
    deps: {
      env: { ...deps.env, COUCHMESH_PASSWORD: password },
      ...(deps.clock ? { clock: deps.clock } : {}),
    },
  };
}

/** One resolution pass of `policy.db` on `node` (the block written where strategyConfig reads it). */
export async function resolveOn(
  m: OpenMesh,
  policy: ConflictsPolicy,
  node: string,
  stateDir: string,
  deps: MeshDeps,
  dryRun: boolean,
): Promise<ResolveResult> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const config = join(stateDir, `conflicts-${policy.db.replace(/[^a-z0-9_-]/g, '_')}.json`);
  writeFileSync(config, JSON.stringify({ conflicts: policy.block }), { mode: 0o600 });
  const t = target(m, node, policy.db, deps);
  return conflictsResolve({ ...t.f, config, dryRun }, t.deps);
}

/** Documents of `db` on `node` with conflicts now (bounded: a count for the dashboard). */
export async function conflictCount(m: OpenMesh, db: string, node: string, deps: MeshDeps): Promise<number> {
  const t = target(m, node, db, deps);
  return (await conflictsList({ ...t.f, limit: 10_000 }, t.deps)).length;
}

export async function undoOn(m: OpenMesh, db: string, node: string, auditId: string, deps: MeshDeps) {
  const t = target(m, node, db, deps);
  return conflictsUndo(auditId, t.f, t.deps);
}
