import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderMermaid } from './mermaid.ts';
import { check } from './test-support.ts';

const seed = readFileSync(new URL('../../examples/seed-mesh.yaml', import.meta.url), 'utf8');

describe('Mermaid graph', () => {
  it("draws the seed mesh like the seed's flowchart, with class labels", () => {
    const r = check(seed);
    assert.equal(
      renderMermaid(r.spec!),
      `flowchart LR
N1[(n1)] <-->|cellular| N2[(n2)]
N2 <-->|cellular| N3[(n3)]
N3 <-->|cellular| N1
N3 <-->|cellular| N4[(n4)]
N4 <-->|cellular| N2
`,
    );
  });

  it('labels partial links with their databases, shows unlinked nodes, marks NAT nodes and relays', () => {
    const r = check(`mesh: t
nodes:
  hub: { url: http://a, role: relay }
  gw: { url: http://b, reachable: false }
  spare: { url: http://c }
databases: [a, b]
links:
  - { between: [hub, gw], class: cellular, databases: [b] }
`);
    assert.equal(
      renderMermaid(r.spec!),
      `flowchart LR
N1[(hub)] <-->|"cellular: b"| N2[(gw)]
N3[(spare)]
classDef nat stroke-dasharray: 5 5
class N2 nat
classDef relay stroke-width:3px
class N1 relay
`,
    );
  });
});

describe('Mermaid graph: live routes (#15)', () => {
  it('draws a relayed direction as dashed arrows through its relay, once per path', () => {
    const r = check(`mesh: t
nodes:
  n3: { url: http://a }
  n4: { url: http://b }
  r: { url: http://c, role: relay }
databases: [a, b]
links:
  - [n3, n4]
`);
    const via = { from: 'n3', to: 'n4', via: ['r'] };
    assert.equal(
      renderMermaid(r.spec!, [via, via, { from: 'n4', to: 'n3', via: [] }]),
      `flowchart LR
N1[(n3)] <-->|wan| N2[(n4)]
N1 -.->|"n3->n4 via r"| N3[(r)]
N3 -.->|"n3->n4 via r"| N2
classDef relay stroke-width:3px
class N3 relay
`,
    );
  });
});
