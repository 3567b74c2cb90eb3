// The fleet simulator's mesh: a ring of neighbours (node i linked to i+1 … i+fanout, so every node
// is in 2 × fanout links), written as mesh.yaml text and validated in memory by the real spec loader.
// The simulator and the poller both derive everything (links, directions, `_replicator` docs) from
// this one text, so what the simulator answers is what the poller expects to find.
import { type MeshLink, meshLinks } from '../../src/observe/links.ts';
import type { MeshSpec } from '../../src/spec/types.ts';
import { validateMesh } from '../../src/spec/validate.ts';

export interface FleetShape {
  /** number of simulated nodes (n1 … nN) */
  nodes: number;
  /** links per node to the following nodes of the ring (default 5: 10 links per node, 10 directions) */
  fanout?: number;
  /** databases of every link (default ['sensors']) */
  dbs?: readonly string[];
  /** mesh name (default 'fleet') */
  mesh?: string;
  /** the poll interval mesh.yaml declares (default 30 000 ms) */
  intervalMs?: number;
}

export const nodeName = (i: number) => `n${i + 1}`;

/** Unordered pairs of the ring of neighbours, each once (small rings would repeat or self-link). */
export function ringPairs(nodes: number, fanout = 5): Array<[number, number]> {
  const seen = new Set<string>();
  const out: Array<[number, number]> = [];
  for (let i = 0; i < nodes; i++)
    for (let k = 1; k <= fanout; k++) {
      const j = (i + k) % nodes;
      const key = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (j === i || seen.has(key)) continue;
      seen.add(key);
      out.push([i, j]);
    }
  return out;
}

/** mesh.yaml for `shape`, node i at `urls[i]` (no credentials: the simulator does not check them). */
export function fleetMeshYaml(urls: readonly string[], shape: FleetShape): string {
  const names = urls.map((_, i) => nodeName(i));
  const dbs = shape.dbs ?? ['sensors'];
  return [
    `mesh: ${shape.mesh ?? 'fleet'}`,
    'nodes:',
    ...names.map((n, i) => `  ${n}: { url: "${urls[i]}" }`),
    `databases: [${dbs.join(', ')}]`,
    'defaults: { class: lan }',
    `thresholds: { observe_interval_ms: ${shape.intervalMs ?? 30_000} }`,
    'links:',
    ...ringPairs(urls.length, shape.fanout).map(([a, b]) => `  - [${names[a]}, ${names[b]}]`),
    '',
  ].join('\n');
}

export interface FleetMesh {
  text: string;
  spec: MeshSpec;
  links: MeshLink[];
}

/** Validates the text in memory (no file); throws with the first diagnostics when it is not valid. */
export function fleetMesh(text: string): FleetMesh {
  const v = validateMesh(text, {});
  if (!v.ok || !v.spec)
    throw new Error(`fleet mesh does not validate: ${JSON.stringify(v.diagnostics.slice(0, 3))}`);
  return { text, spec: v.spec, links: meshLinks(v.spec) };
}
