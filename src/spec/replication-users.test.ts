import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTemplate } from './replication-users.ts';
import { check, NODES } from './test-support.ts';

const mesh = (entry: string) => `${NODES}links: [[n1, n2], [n2, n3]]\nreplication_users: ${entry}\n`;

describe('replication_users: least-privilege users per node', () => {
  it('one user per node, its password reference filled from the template', () => {
    const r = check(mesh('{ password_env: "REPL_{NODE}" }'));
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.replication_users?.n1, {
      username: 'couchmesh-repl-n1',
      password_env: 'REPL_N1',
    });
    const f = check(mesh('{ password_file: "secrets/repl-{node}.txt" }'), { baseDir: '/etc/mesh' });
    assert.deepEqual(f.spec?.replication_users?.n2, {
      username: 'couchmesh-repl-n2',
      password_file: '/etc/mesh/secrets/repl-n2.txt',
    });
  });

  it('absent: replication docs keep the nodes` own auth', () => {
    assert.equal(check(`${NODES}links: [[n1, n2], [n2, n3]]\n`).spec?.replication_users, undefined);
  });

  it('refuses both or neither reference, an inline password, and a per other than node', () => {
    for (const bad of [
      '{ password_env: A, password_file: b }',
      '{}',
      '{ password: x }',
      '{ per: link, password_env: A }',
    ]) {
      const r = check(mesh(bad));
      assert.equal(r.ok, false, bad);
      assert.match(r.lines[0] as string, /replication_users/, bad);
    }
  });

  it('{NODE} makes an environment variable name of any node name', () => {
    assert.equal(fillTemplate('PW_{NODE}', 'edge-7'), 'PW_EDGE_7');
    assert.equal(fillTemplate('pw/{node}', 'edge-7'), 'pw/edge-7');
  });
});
