/**
 * The mesh the controller's demo applies: the demo's mesh text plus a `controller:` block with short
 * cadences (so a conflict made in front of the user is resolved within a second or two), a
 * `conflicts:` block on the demo database (last writer wins by `updated_at`, on one node), canaries
 * every 5 s, and,
 * for the partition scenario, the links of one node reaching it through fault proxies (the
 * per-link `endpoints:` override), so cutting the proxies cuts that node off.
 */
import { parseDocument } from 'yaml';
import type { MeshSpec } from '../spec/types.ts';

/** Short cadences for a demo: a poll and a conflicts pass every second. */
export const DEMO_CONTROLLER = {
  poll_interval_ms: 1000,
  conflicts_interval_ms: 1000,
  drift_interval_ms: 15_000,
  deep_check_interval_ms: 60_000,
} as const;

export interface DemoMeshEdit {
  db: string;
  /** the node whose resolver runs (mesh.yaml's `conflicts.node`) */
  resolver: string;
  /** link key -> { node reached through a proxy: the proxy's URL } */
  endpoints?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** The links of `node` (their keys), in mesh order. */
export const linksOf = (spec: Pick<MeshSpec, 'links'>, node: string): string[] =>
  spec.links.filter((l) => l.nodes.includes(node)).map((l) => l.key);

/** The edited mesh text (comments kept; links rewritten as explicit pairs only when proxied). */
export function demoMeshText(text: string, spec: Pick<MeshSpec, 'links'>, e: DemoMeshEdit): string {
  const doc = parseDocument(text);
  doc.set('controller', doc.createNode({ ...DEMO_CONTROLLER }));
  // canaries every few seconds, so the dashboard's arrows show each direction's latency soon
  doc.set('canary', doc.createNode({ enabled: true, interval_ms: 5_000, timeout_ms: 10_000 }));
  doc.set(
    'databases',
    doc.createNode([
      { name: e.db, conflicts: { strategy: 'lww', timestamp: 'updated_at', node: e.resolver } },
    ]),
  );
  const endpoints = e.endpoints;
  if (endpoints?.size) {
    // the same unordered pairs (so the same replication ids), the proxied ones with `endpoints:`
    const links = spec.links.map((l) => {
      const via = endpoints.get(l.key);
      return via ? { between: [...l.nodes], endpoints: { ...via } } : [...l.nodes];
    });
    const node = doc.createNode(links);
    node.flow = false;
    for (const item of node.items) (item as { flow?: boolean }).flow = true;
    doc.set('links', node);
  }
  return doc.toString();
}
