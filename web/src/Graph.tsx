/**
 * The live mesh graph (SVG): nodes placed by layout.ts, every direction an arrow coloured by its
 * health and labelled with its lag, checkpoint age and (when measured) canary latency; the two directions of a link run side by side,
 * a relayed direction (`via`) is drawn dashed through its relays. Click an arrow to open its panel.
 */
import type { ControllerSnapshot, GraphDirection } from '../../src/controller/view.ts';
import { membersDownLabel } from './cluster.ts';
import { directionHealth, downWord, type Health, rowOf, unreachableNodes } from './health.ts';
import { HEIGHT, layout, WIDTH } from './layout.ts';
import { dirKey } from './store.ts';

const R = 24;
const HEALTH: Health[] = ['ok', 'warn', 'bad', 'unknown'];

export function lagText(lag: number | null, ageMs: number | null, canaryMs?: number | null): string {
  const l = lag === null ? 'lag ?' : `lag ${lag}`;
  const t = ageMs === null ? l : `${l} · ${Math.round(ageMs / 1000)}s`;
  // FAILOVER's canary: the direction's true end-to-end latency, when the mesh measures it
  return canaryMs === undefined
    ? t
    : `${t} · ${canaryMs === null ? 'canary lost' : `${Math.round(canaryMs)}ms`}`;
}

/**
 * Side-by-side lanes: each direction is shifted to its own right (as traffic keeps right), so the
 * two ways of a link never overlap; several databases of one way take the next lanes out.
 */
function lanes(directions: readonly GraphDirection[]): Map<string, number> {
  const seen = new Map<string, number>();
  const out = new Map<string, number>();
  for (const d of directions) {
    const way = `${d.from}|${d.to}`;
    const i = seen.get(way) ?? 0;
    seen.set(way, i + 1);
    // a relayed path runs beside the direct links it shares a way with, one lane further out
    out.set(dirKey(d), 7 + 12 * i + (d.via.length ? 14 : 0));
  }
  return out;
}

type Point = { x: number; y: number };

const unit = (a: Point, b: Point): Point => {
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  return { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
};

/**
 * The arrow through `points` (from, relays, to) in its lane (each segment shifted along its own
 * normal, joints along the mean of the two), trimmed at the node circles.
 */
function arrow(points: Point[], off: number): { path: string; label: Point } {
  const units = points.slice(1).map((p, i) => unit(points[i]!, p));
  const normals = units.map((u) => ({ x: -u.y * off, y: u.x * off }));
  const moved = points.map((p, j) => {
    const a = normals[Math.max(0, j - 1)]!;
    const b = normals[Math.min(normals.length - 1, j)]!;
    return { x: p.x + (a.x + b.x) / 2, y: p.y + (a.y + b.y) / 2 };
  });
  const first = units[0]!;
  const last = units.at(-1)!;
  const li = moved.length - 1;
  moved[0] = { x: moved[0]!.x + first.x * R, y: moved[0]!.y + first.y * R };
  moved[li] = { x: moved[li]!.x - last.x * (R + 2), y: moved[li]!.y - last.y * (R + 2) };
  const path = moved.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  const [a, b, n] = [points[0]!, points[1]!, normals[0]!];
  const label = { x: a.x + (b.x - a.x) * 0.36 + n.x * 2.2, y: a.y + (b.y - a.y) * 0.36 + n.y * 2.2 + 4 };
  return { path, label };
}

interface Props {
  snap: ControllerSnapshot;
  selected: string | null;
  onSelect(key: string): void;
}

export function Graph({ snap, selected, onSelect }: Props) {
  const { columns, at } = layout(snap.nodes);
  const down = unreachableNodes(snap.status, snap.findings);
  const lane = lanes(snap.directions);
  return (
    <svg class="graph" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label="mesh graph">
      <defs>
        {HEALTH.map((h) => (
          <marker
            id={`arrow-${h}`}
            key={h}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class={`fill-${h}`} />
          </marker>
        ))}
      </defs>
      {columns.map((c) => (
        <g key={c.region}>
          <rect x={c.x + 6} y={6} width={c.width - 12} height={HEIGHT - 12} rx={8} class="region" />
          <text x={c.x + c.width / 2} y={28} class="region-label">
            {c.region}
          </text>
        </g>
      ))}
      {snap.directions.map((d) => {
        const row = rowOf(snap.status, d);
        const health = directionHealth(d, row, snap.findings, down);
        const points = [d.from, ...d.via, d.to].map((n) => at.get(n) ?? { x: 0, y: 0 });
        const { path, label } = arrow(points, lane.get(dirKey(d)) ?? 0);
        const key = dirKey(d);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be an HTML <button>
          <g
            key={key}
            class={`direction health-${health}${selected === key ? ' selected' : ''}`}
            data-direction={d.direction}
            data-db={d.db}
            data-health={health}
            data-relayed={d.via.length > 0 ? 'true' : 'false'}
            role="button"
            tabIndex={0}
            aria-label={`${d.direction} ${d.db}: ${health}`}
            onClick={() => onSelect(key)}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect(key)}
          >
            <title>{`${d.direction} ${d.db}: ${row?.state ?? 'not observed'}`}</title>
            <path d={path} class="hit" />
            <path
              d={path}
              class={`line${d.via.length ? ' relayed' : ''}`}
              marker-end={`url(#arrow-${health})`}
            />
            <text x={label.x} y={label.y} class="edge-label">
              {lagText(
                row ? (row.changes_pending ?? row.lag_estimate) : null,
                row?.checkpoint_age_ms ?? null,
                row?.canary_ms ?? d.canary_ms,
              )}
            </text>
          </g>
        );
      })}
      {snap.nodes.map((n) => {
        const p = at.get(n.name) ?? { x: 0, y: 0 };
        const reachable = !down.has(n.name);
        const members = membersDownLabel(snap.status, n.name);
        return (
          <g
            key={n.name}
            class={`node${reachable ? '' : ' down'}`}
            data-node={n.name}
            data-reachable={String(reachable)}
            {...(members ? { 'data-members-down': members } : {})}
          >
            <title>{`${n.name} (${n.role}) ${n.url}${members ? ` · ${members}` : ''}`}</title>
            <circle cx={p.x} cy={p.y} r={n.role === 'edge' ? R : R + 4} />
            <text x={p.x} y={p.y + 5} class="node-label">
              {n.name}
            </text>
            {/* the role sits on the outer side of the node, away from the links between rows */}
            <text x={p.x} y={p.y < HEIGHT / 2 ? p.y - R - 8 : p.y + R + 16} class="node-role">
              {reachable
                ? `${n.role}${members ? ` · ${members}` : ''}`
                : `${n.role} · ${downWord(snap.findings, n.name)}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
