import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locate, parseMeshSource } from './source.ts';

const TEXT = `mesh: t
nodes:
  n1:
    url: http://a
  n2: { url: http://b }
links:
  - [n1, n2]
  - between: [n2, n1]
`;

describe('source positions', () => {
  const { source, problems } = parseMeshSource(TEXT, 'mesh.yaml');

  it('parses without problems', () => assert.deepEqual(problems, []));

  it('locates values, keys, list items (1-based line and column)', () => {
    assert.deepEqual(locate(source, ['nodes', 'n1', 'url']), { line: 4, column: 10 });
    assert.deepEqual(locate(source, ['nodes', 'n1', 'url'], true), { line: 4, column: 5 });
    assert.deepEqual(locate(source, ['nodes', 'n2', 'url']), { line: 5, column: 14 });
    assert.deepEqual(locate(source, ['links', 0, 1]), { line: 7, column: 10 });
    assert.deepEqual(locate(source, ['links', 1, 'between', 1]), { line: 8, column: 19 });
  });

  it('points a missing field at its parent', () => {
    assert.deepEqual(locate(source, ['nodes', 'n2', 'auth', 'username']), { line: 5, column: 7 });
    assert.deepEqual(locate(source, ['databases']), { line: 1, column: 1 });
  });

  it('reports syntax errors with a position and no echo of the source', () => {
    const r = parseMeshSource('mesh: t\nnodes: [a, b\nx: "secret', 'm.yaml');
    assert.ok(r.problems.length > 0);
    for (const p of r.problems) {
      assert.equal(p.code, 'E_YAML_SYNTAX');
      assert.doesNotMatch(p.message, /secret|\n/);
      assert.ok(p.line >= 2);
    }
  });

  it('one mesh per file', () => {
    const r = parseMeshSource('mesh: a\n---\nmesh: b\n', 'm.yaml');
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.message, p.hint]),
      [[2, 'the file holds several YAML documents (---)', 'keep one mesh per file']],
    );
  });
});
