import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, NODES } from './test-support.ts';

const mesh = (conflicts: string) =>
  `${NODES.replace('databases: [sensors]', `databases:\n  - name: sensors\n    conflicts: ${conflicts}`)}links: [[n1, n2], [n2, n3]]\n`;

describe('databases[].conflicts in mesh.yaml', () => {
  it('is validated with the resolver schemas and filled in with their defaults', () => {
    const r = check(
      mesh('{ strategy: lww, timestamp: meta.at, types: { group: { strategy: union, fields: [members] } } }'),
    );
    assert.deepEqual(r.lines, []);
    const c = r.spec?.databases[0]?.conflicts;
    assert.equal(c?.strategy, 'lww');
    assert.deepEqual(c && 'timestamp' in c ? c.timestamp : undefined, 'meta.at');
    assert.deepEqual(c?.types?.group, { strategy: 'union', fields: ['members'] });
    assert.deepEqual(c?.audit, { db: 'couchmesh_audit' });
  });

  it('names each mistake at its line:col, with the keys of the strategy given and a did-you-mean', () => {
    assert.deepEqual(check(mesh('{ strategy: lww, timestmp: updated_at }')).lines, [
      "mesh.yaml:8:33 databases[0].conflicts.timestmp: unknown key 'timestmp' — expected one of strategy, timestamp, missing, node, type_field, types, audit, batch_size, concurrency (hint: did you mean 'timestamp'?)",
    ]);
    assert.deepEqual(check(mesh('{ strategy: lwww }')).lines, [
      "mesh.yaml:8:28 databases[0].conflicts.strategy: got 'lwww' — expected one of lww, field-merge, union, max, min, custom (hint: did you mean 'lww'?)",
    ]);
    assert.deepEqual(check(mesh('{ timestamp: t }')).lines, [
      "mesh.yaml:8:16 databases[0].conflicts: missing required field 'strategy' — expected one of lww, field-merge, union, max, min, custom (hint: e.g. strategy: lww (with timestamp: updated_at))",
    ]);
    const both = check(
      mesh('{ strategy: max, field: v, types: { t: { strategy: min } }, batch_size: 0 }'),
    ).lines;
    assert.equal(both.length, 2);
    assert.match(both[0] ?? '', /databases\[0\]\.conflicts\.types\.t\.field: missing required field 'field'/);
    assert.match(both[1] ?? '', /databases\[0\]\.conflicts\.batch_size: got 0/);
    assert.match(
      check(mesh('lww')).lines[0] ?? '',
      /databases\[0\]\.conflicts: got a string — expected a mapping/,
    );
  });
});
