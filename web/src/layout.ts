/**
 * Where the graph draws each node: one column per region (declaration order; nodes without a region
 * last), within a column hubs first, then relays, then edges, stacked top to bottom (a column of more
 * than six wraps into sub-columns). Positions depend only on the mesh, never on the data, so nothing
 * moves while telemetry streams in.
 */
import type { GraphNode } from '../../src/controller/view.ts';

export const WIDTH = 860;
export const HEIGHT = 460;
const TOP = 56;
const BOTTOM = 36;
const PER_COLUMN = 6;
const PAD = 40;
const ROLE_ORDER = { hub: 0, relay: 1, edge: 2 } as const;

export interface Column {
  region: string;
  x: number;
  width: number;
}

export interface Layout {
  columns: Column[];
  at: Map<string, { x: number; y: number }>;
}

export function layout(nodes: readonly GraphNode[]): Layout {
  const regions = [...new Set(nodes.map((n) => n.region ?? '(no region)'))];
  const width = WIDTH / Math.max(1, regions.length);
  const at = new Map<string, { x: number; y: number }>();
  const columns = regions.map((region, i) => {
    const members = nodes
      .filter((n) => (n.region ?? '(no region)') === region)
      .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
    const subs = Math.ceil(members.length / PER_COLUMN);
    const rows = Math.ceil(members.length / subs);
    members.forEach((n, j) => {
      const sub = Math.floor(j / rows);
      const row = j % rows;
      const x = i * width + (width * (sub + 0.5)) / subs;
      // rows spread over the whole height: the first and last a node's height from the edges
      const span = HEIGHT - TOP - BOTTOM - 2 * PAD;
      const y = rows === 1 ? (TOP + HEIGHT - BOTTOM) / 2 : TOP + PAD + (span * row) / (rows - 1);
      at.set(n.name, { x, y });
    });
    return { region, x: i * width, width };
  });
  return { columns, at };
}
