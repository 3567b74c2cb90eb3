/**
 * The meshes the demo (and the end-to-end tests) run: the example 4-node mesh shipped in
 * `examples/`, or a generated ring, and the rewrite of node URLs when ports had to move.
 */
import { fileURLToPath } from 'node:url';

/** examples/seed-mesh.yaml: the example 4-node mesh (the file keeps its historical name). */
export const EXAMPLE_MESH = fileURLToPath(new URL('../../examples/seed-mesh.yaml', import.meta.url));

/** The variable the demo meshes read the admin password from. */
export const PASSWORD_ENV = 'COUCHMESH_PASSWORD';

/** A generated demo mesh: n1..nN in a ring (data takes up to N/2 hops), cellular links. */
export function ringMesh(n: number, firstPort: number, db = 'sensors'): string {
  const nodes = Array.from(
    { length: n },
    (_, i) =>
      `  n${i + 1}: { url: "http://127.0.0.1:${firstPort + i}", auth: { username: admin, password_env: ${PASSWORD_ENV} } }`,
  );
  return `# couchmesh demo: ${n} embedded nodes in a ring\nmesh: demo\nnodes:\n${nodes.join('\n')}\ndatabases: [${db}]\ndefaults:\n  class: cellular\nlinks:\n  - { generate: ring, nodes: all }\n`;
}

/** The mesh text without its `canary:` block (tests that count the seed's own documents). */
export function withoutCanary(text: string): string {
  // the top-level block and the comment lines just above it; the rest of the text unchanged
  return text.replace(/\n(?:#[^\n]*\n)*canary:[^\n]*\n(?:[ \t]+[^\n]*(?:\n|$))*/, '\n');
}

/** Rewrites the nodes' URLs in the mesh text (comments and layout kept). */
export function withUrls(text: string, moved: Array<{ from: string; to: string }>): string {
  let out = text;
  for (const m of moved)
    out = out.replace(new RegExp(`${m.from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![0-9])`, 'g'), m.to);
  return out;
}
