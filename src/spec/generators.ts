/** Link generators: pure expansions of a node list into unordered pairs. */
export type GeneratorKind = 'full-mesh' | 'ring' | 'star';
export type Pair = readonly [string, string];

/** Identity of an unordered pair: the two names sorted, joined by `--`. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}--${b}` : `${b}--${a}`;
}

/**
 * - full-mesh: every pair (n·(n−1)/2 links);
 * - ring: each node to the next in list order, the last back to the first (n links; 1 for two nodes);
 * - star: the hub to every other node.
 */
export function generatePairs(kind: GeneratorKind, nodes: readonly string[], hub?: string): Pair[] {
  const out: Pair[] = [];
  if (kind === 'full-mesh') {
    for (let i = 0; i < nodes.length; i++)
      for (let j = i + 1; j < nodes.length; j++) out.push([nodes[i]!, nodes[j]!]);
  } else if (kind === 'ring') {
    if (nodes.length === 2) out.push([nodes[0]!, nodes[1]!]);
    else if (nodes.length > 2) {
      for (const [i, n] of nodes.entries()) out.push([n, nodes[(i + 1) % nodes.length]!]);
    }
  } else if (hub !== undefined) {
    for (const n of nodes) if (n !== hub) out.push([hub, n]);
  }
  return out;
}
