/** The live graph of the snapshot (nodes by role and region, every direction) and its Mermaid. */
import { directionKey } from '../observe/links.ts';
import type { OpenMesh } from '../ops/mesh.ts';
import { renderMermaid } from '../spec/mermaid.ts';
import type { GraphDirection, GraphNode } from './view.ts';

export function graphOf(m: Pick<OpenMesh, 'spec' | 'links'>): {
  nodes: GraphNode[];
  directions: GraphDirection[];
} {
  return {
    // spec URLs never carry userinfo (validation refuses it)
    nodes: m.spec.nodes.map((n) => ({ name: n.name, url: n.url, role: n.role, region: n.region ?? null })),
    directions: m.links.flatMap((l) =>
      l.directions.map((d) => ({
        direction: directionKey(d.from, d.to),
        link: l.link,
        db: l.db,
        from: d.from,
        to: d.to,
        via: [],
      })),
    ),
  };
}

/**
 * As `couchmesh graph --live` prints it: the declared topology, and the live graph's relayed
 * directions (non-empty `via`, set by the router) as dashed arrows through their relays.
 */
export const mermaidOf = (
  m: Pick<OpenMesh, 'spec'>,
  directions: readonly Pick<GraphDirection, 'from' | 'to' | 'via'>[] = [],
): string => renderMermaid(m.spec, directions);
