// The seed mesh's topology (examples/seed-mesh.yaml: four nodes, five links, both ways each),
// read from the example itself so the chaos runs follow it if it changes.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Topology {
  nodes: string[];
  links: Array<[string, string]>;
}

const SEED = new URL('../../../examples/seed-mesh.yaml', import.meta.url);

export function seedTopology(): Topology {
  const doc = parse(readFileSync(SEED, 'utf8')) as { nodes: Record<string, unknown>; links: unknown[] };
  const links = doc.links.map((l) => (Array.isArray(l) ? l : (l as { between: string[] }).between));
  return { nodes: Object.keys(doc.nodes), links: links.map(([a, b]) => [a, b] as [string, string]) };
}

export const linkKey = ([a, b]: readonly [string, string]): string => `${a}--${b}`;
