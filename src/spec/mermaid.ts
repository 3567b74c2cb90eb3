import type { MeshSpec } from './types.ts';

const PLAIN_LABEL = /^[A-Za-z0-9_-]+$/;

function edgeLabel(text: string): string {
  return PLAIN_LABEL.test(text) ? `|${text}|` : `|"${text.replace(/"/g, '#quot;')}"|`;
}

/** A direction FAILOVER routes through relays (#15): `from` -> via[0] -> ... -> `to`. */
export interface RelayedPath {
  from: string;
  to: string;
  via: readonly string[];
}

/**
 * The topology as a Mermaid `flowchart LR`, like the seed's: nodes are cylinders (`N1[(n1)]`,
 * defined where first used), links are `<-->` edges labelled with their class (and their databases
 * when a link carries only some). Nodes behind NAT are dashed; relays and hubs drawn thicker.
 * `routes` (the live ones, when known) adds each relayed direction as dashed `-.->` arrows through
 * its relay(s), labelled `from->to via r`, beside the declared link it stands in for.
 */
export function renderMermaid(spec: MeshSpec, routes: readonly RelayedPath[] = []): string {
  const ids = new Map(spec.nodes.map((n, i) => [n.name, `N${i + 1}`]));
  const defined = new Set<string>();
  const ref = (name: string): string => {
    const id = ids.get(name) ?? name;
    if (defined.has(name)) return id;
    defined.add(name);
    return `${id}[(${name})]`;
  };
  const all = spec.databases.map((d) => d.name).join(',');
  const lines = ['flowchart LR'];
  for (const link of spec.links) {
    const [a, b] = link.nodes;
    const label =
      link.databases.join(',') === all ? link.class : `${link.class}: ${link.databases.join(', ')}`;
    lines.push(`${ref(a)} <-->${edgeLabel(label)} ${ref(b)}`);
  }
  const drawn = new Set<string>();
  for (const r of routes) {
    const hops = [r.from, ...r.via, r.to];
    const key = hops.join('>');
    if (!r.via.length || drawn.has(key)) continue; // one drawing per path, whatever its databases
    drawn.add(key);
    const label = edgeLabel(`${r.from}->${r.to} via ${r.via.join(', ')}`);
    for (let i = 1; i < hops.length; i++)
      lines.push(`${ref(hops[i - 1] as string)} -.->${label} ${ref(hops[i] as string)}`);
  }
  for (const n of spec.nodes) if (!defined.has(n.name)) lines.push(ref(n.name));
  const nat = spec.nodes.filter((n) => !n.reachable).map((n) => ids.get(n.name));
  const central = spec.nodes.filter((n) => n.role !== 'edge').map((n) => ids.get(n.name));
  if (nat.length) lines.push('classDef nat stroke-dasharray: 5 5', `class ${nat.join(',')} nat`);
  if (central.length) lines.push('classDef relay stroke-width:3px', `class ${central.join(',')} relay`);
  return `${lines.join('\n')}\n`;
}
