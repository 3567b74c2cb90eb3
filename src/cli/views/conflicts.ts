// Text views of the mesh-wide conflict operations (`conflicts ... -f mesh.yaml`): one block per node.
import type { MeshResolveEvent, MeshResolveResult } from '../../ops/conflicts-mesh.ts';
import type { ConflictDetail, ConflictSummary } from '../../resolve/inspect.ts';
import { formatDetail, formatEvent, formatList, formatStats } from '../../resolve/report.ts';

export function meshListView(
  db: string,
  per: Array<{ node: string; conflicts: ConflictSummary[] }>,
): string[] {
  return per.flatMap(({ node, conflicts }) => [
    `${node}: ${conflicts.length} document(s) in conflict in ${db}`,
    ...formatList(conflicts).map((l) => `  ${l}`),
  ]);
}

export function meshShowView(per: Array<{ node: string; detail: ConflictDetail }>): string[] {
  return per.flatMap(({ node, detail }) => [`${node}:`, ...formatDetail(detail).map((l) => `  ${l}`)]);
}

export const meshEventLine = (e: MeshResolveEvent) => `${e.node}: ${formatEvent(e)}`;

export function meshResolveView(r: MeshResolveResult, events: readonly MeshResolveEvent[]): string[] {
  const c = r.counts;
  return [
    ...events.map(meshEventLine),
    ...r.nodes.map((n) =>
      n.stats
        ? `${n.node}: ${formatStats(n.stats)}; ${n.conflicted} left in conflict`
        : `${n.node}: not resolved: ${n.error}`,
    ),
    `${r.dryRun ? 'dry run: ' : ''}${r.db} on ${r.nodes.length} node(s): ${c.resolved} resolved, ${c.declined} declined, ${c.failed} failed; audit ${r.audit}`,
  ];
}
