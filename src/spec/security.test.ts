import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, NODES } from './test-support.ts';

const withDb = (entry: string) =>
  `${NODES.replace('[sensors]', `\n  - ${entry}`)}links: [[n1, n2], [n2, n3]]\n`;

describe('databases[].security: the _security object as code', () => {
  it('fills absent groups and lists with empty ones (as CouchDB reads them)', () => {
    const r = check(
      withDb('{ name: sensors, security: { admins: { names: [ops] }, members: { roles: [readers] } } }'),
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.databases[0]?.security, {
      admins: { names: ['ops'], roles: [] },
      members: { names: [], roles: ['readers'] },
    });
  });

  it('a database without security has none (couchmesh leaves its _security alone)', () => {
    const r = check(withDb('sensors'));
    assert.equal(r.spec?.databases[0]?.security, undefined);
  });

  it('refuses unknown keys and empty names, with file:line:col', () => {
    const r = check(withDb('{ name: sensors, security: { member: { roles: [readers] } } }'));
    assert.equal(r.ok, false);
    assert.equal(r.lines.length, 1);
    assert.match(r.lines[0] as string, /^mesh\.yaml:\d+:\d+ databases\[0\]\.security.*member/);
    const empty = check(withDb("{ name: sensors, security: { members: { roles: [''] } } }"));
    assert.equal(empty.ok, false);
    assert.match(
      empty.lines[0] as string,
      /^mesh\.yaml:\d+:\d+ databases\[0\]\.security\.members\.roles\[0\]/,
    );
    const notList = check(withDb('{ name: sensors, security: { admins: { names: ops } } }'));
    assert.equal(notList.ok, false);
    assert.match(notList.lines[0] as string, /databases\[0\]\.security\.admins\.names/);
  });
});
