import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../main.ts';
import { captureOutput } from '../testing.ts';

const capture = captureOutput;

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'couchmesh-graph-'));

describe('couchmesh graph', () => {
  it("prints the seed mesh as the seed's Mermaid flowchart (no credentials needed)", async () => {
    const o = capture();
    const saved = process.env.COUCHMESH_PASSWORD;
    delete process.env.COUCHMESH_PASSWORD;
    try {
      assert.equal(await main(['graph', '-f', join(examples, 'seed-mesh.yaml')], o), 0);
    } finally {
      if (saved !== undefined) process.env.COUCHMESH_PASSWORD = saved;
    }
    assert.equal(
      o.stdout,
      'flowchart LR\nN1[(n1)] <-->|cellular| N2[(n2)]\nN2 <-->|cellular| N3[(n3)]\nN3 <-->|cellular| N1\nN3 <-->|cellular| N4[(n4)]\nN4 <-->|cellular| N2\n',
    );
    assert.equal(o.stderr, '');
  });

  it('--format mermaid is the default; other formats are refused', async () => {
    assert.equal(
      await main(['graph', '-f', join(examples, 'seed-mesh.yaml'), '--format', 'mermaid'], capture()),
      0,
    );
    const o = capture();
    assert.equal(await main(['graph', '-f', join(examples, 'seed-mesh.yaml'), '--format', 'dot'], o), 1);
    assert.match(o.stderr, /unknown graph format 'dot'\n {2}hint: use one of: mermaid/);
  });

  it('an invalid mesh: problems on stderr, nothing drawn, exit 1; warnings on stderr only', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'mesh: t\nnodes:\n  a: { url: http://a }\n  b: { url: http://b }\ndatabases: [d]\nlinks: [[a, a]]\n',
    );
    const o = capture();
    assert.equal(await main(['graph', '-f', bad], o), 1);
    assert.equal(o.stdout, '');
    assert.match(o.stderr, /bad\.yaml:6:13 links\[0\]\[1\]: node 'a' is linked to itself/);

    const warn = join(dir, 'warn.yaml');
    writeFileSync(
      warn,
      'mesh: t\nnodes:\n  a: { url: http://a }\n  b: { url: http://b }\n  c: { url: http://c }\ndatabases: [d]\nlinks: [[a, b]]\n',
    );
    const w = capture();
    assert.equal(await main(['graph', '-f', warn], w), 0);
    assert.equal(w.stdout, 'flowchart LR\nN1[(a)] <-->|wan| N2[(b)]\nN3[(c)]\n');
    assert.match(w.stderr, /warning nodes\.c: node 'c' is in no link/);
  });
});
