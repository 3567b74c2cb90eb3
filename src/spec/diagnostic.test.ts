import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Diagnostic, formatDiagnostic, formatPath, sortDiagnostics } from './diagnostic.ts';

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  severity: 'error',
  code: 'E_UNKNOWN_NODE',
  file: 'mesh.yaml',
  line: 12,
  column: 7,
  path: 'links[3].between[1]',
  message: "unknown node 'n9'",
  ...over,
});

describe('diagnostics', () => {
  it('formats field paths', () => {
    assert.equal(formatPath(['links', 3, 'between', 1]), 'links[3].between[1]');
    assert.equal(formatPath(['nodes', 'n1', 'auth', 'password_env']), 'nodes.n1.auth.password_env');
    assert.equal(formatPath(['nodes', 'a.b']), 'nodes["a.b"]');
    assert.equal(formatPath([]), '');
  });

  it('formats one line: file:line:col [warning] path: message — expected … (hint: …)', () => {
    assert.equal(
      formatDiagnostic(d({ expected: 'one of n1, n2, n3, n4', hint: 'declare it under nodes:' })),
      "mesh.yaml:12:7 links[3].between[1]: unknown node 'n9' — expected one of n1, n2, n3, n4 (hint: declare it under nodes:)",
    );
    assert.equal(
      formatDiagnostic(d({ severity: 'warning', path: '', message: 'no links' })),
      'mesh.yaml:12:7 warning no links',
    );
  });

  it('sorts by position, stable', () => {
    const list = [
      d({ line: 3, code: 'b' }),
      d({ line: 1, column: 9 }),
      d({ line: 3, code: 'c' }),
      d({ line: 1 }),
    ];
    assert.deepEqual(
      sortDiagnostics(list).map((x) => `${x.line}:${x.column}${x.code}`),
      ['1:7E_UNKNOWN_NODE', '1:9E_UNKNOWN_NODE', '3:7b', '3:7c'],
    );
  });
});
