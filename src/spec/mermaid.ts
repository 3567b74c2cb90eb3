import type { MeshSpec } from './types.ts';

const PLAIN_LABEL = /^[A-Za-z0-9_-]+$/;

function edgeLabel(text: string): string {
  return PLAIN_LABEL.test(text) ? `|${text}|` : `|"${text.replace(/"/g, '#quot;')}"|`;
}

/**
 * The topology as a Mermaid `flowchart LR`, like the seed's: nodes are cylinders (`N1[(n1)]`,
 * defined where first used), links are `<-->` edges labelled with their class (and their databases
 * when a link carries only some). Nodes behind NAT are dashed; relays and hubs drawn thicker.
 */
export function renderMermaid(spec: MeshSpec): string {
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
  for (const n of spec.nodes) if (!defined.has(n.name)) lines.push(ref(n.name));
  const nat = spec.nodes.filter((n) => !n.reachable).map((n) => ids.get(n.name));
  const central = spec.nodes.filter((n) => n.role !== 'edge').map((n) => ids.get(n.name));
  if (nat.length) lines.push('classDef nat stroke-dasharray: 5 5', `class ${nat.join(',')} nat`);
  if (central.length) lines.push('classDef relay stroke-width:3px', `class ${central.join(',')} relay`);
  return `${lines.join('\n')}\n`;
}
