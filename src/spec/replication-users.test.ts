import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTemplate } from './replication-users.ts';
import { check, NODES } from './test-support.ts';

const mesh = (entry: string) => `${NODES}links: [[n1, n2], [n2, n3]]\nreplication_users: ${entry}\n`;

describe('replication_users: least-privilege users per node or per link', () => {
  it('one user per node, its password reference filled from the template', () => {
    const r = check(mesh('{ password_env: "REPL_{NODE}" }'));
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.replication_users?.users.n1, {
      username: 'couchmesh-repl-n1',
      password_env: 'REPL_N1',
    });
    const f = check(mesh('{ password_file: "secrets/repl-{node}.txt" }'), { baseDir: '/etc/mesh' });
    assert.deepEqual(f.spec?.replication_users?.users.n2, {
      username: 'couchmesh-repl-n2',
      password_file: '/etc/mesh/secrets/repl-n2.txt',
    });
  });

  it('absent: replication docs keep the nodes` own auth', () => {
    assert.equal(check(`${NODES}links: [[n1, n2], [n2, n3]]\n`).spec?.replication_users, undefined);
  });

  it('refuses both or neither reference, an inline password, a per other than node/link, a template naming the other owner', () => {
    for (const bad of [
      '{ password_env: A, password_file: b }',
      '{}',
      '{ password: x }',
      '{ per: edge, password_env: A }',
      '{ per: link, password_env: "R_{NODE}" }',
      '{ password_env: "R_{LINK}" }',
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

  it('per: link: one user per link key, the template filled with {LINK}', () => {
    const r = check(mesh('{ per: link, password_env: "REPL_{LINK}" }'));
    assert.deepEqual(r.lines, []);
    assert.equal(r.spec?.replication_users?.per, 'link');
    assert.deepEqual(r.spec?.replication_users?.users, {
      'n1--n2': { username: 'couchmesh-repl-n1--n2', password_env: 'REPL_N1__N2' },
      'n2--n3': { username: 'couchmesh-repl-n2--n3', password_env: 'REPL_N2__N3' },
    });
  });

  it('a template without {NODE}/{LINK} is one password for every user: a warning', () => {
    const r = check(mesh('{ per: link, password_env: REPL }'));
    assert.equal(r.ok, true);
    assert.match(r.lines.join('\n'), /W_REPL_SHARED_PASSWORD|same password/);
  });

  it('with references: names every missing variable (never a value), with a hint', () => {
    const env = { REPL_N1__N2: 'secret-value-1' };
    const r = check(mesh('{ per: link, password_env: "REPL_{LINK}" }'), {
      references: { env, fileExists: () => true },
    });
    assert.equal(r.ok, false);
    const d = r.diagnostics.find((x) => x.code === 'E_CREDENTIAL_ENV');
    assert.match(d?.message ?? '', /variable not set: REPL_N2__N3$/);
    assert.match(d?.hint ?? '', /export REPL_N2__N3=/);
    assert.ok(!JSON.stringify(r).includes('secret-value-1'));
    // per node: only nodes that drive a direction need a password (n2 behind NAT drives its own)
    const nodes = `${NODES.replace('n2: { url: http://127.0.0.1:5985 }', 'n2: { url: http://127.0.0.1:5985, reachable: false }')}links: [[n1, n2]]\nreplication_users: { password_env: "R_{NODE}" }\n`;
    const p = check(nodes, { references: { env: {}, fileExists: () => true } });
    assert.match(p.lines.join('\n'), /variable not set: R_N2 —/);
  });

  it('with references: a missing, unreadable or empty file is an error; one others may read a warning', () => {
    const stats: Record<string, { readable: boolean; mode: number; size: number }> = {
      '/m/repl-n1--n2.txt': { readable: true, mode: 0o644, size: 9 },
      '/m/repl-n2--n3.txt': { readable: false, mode: 0o600, size: 9 },
    };
    const references = { env: {}, fileExists: (p: string) => p in stats, fileStat: (p: string) => stats[p] };
    const r = check(mesh('{ per: link, password_file: "repl-{link}.txt" }'), { baseDir: '/m', references });
    const text = r.lines.join('\n');
    assert.match(text, /password file not readable: \/m\/repl-n2--n3\.txt/);
    assert.match(text, /readable by other users: \/m\/repl-n1--n2\.txt.*chmod 600/);
    stats['/m/repl-n2--n3.txt'] = { readable: true, mode: 0o600, size: 0 };
    assert.match(
      check(mesh('{ per: link, password_file: "repl-{link}.txt" }'), {
        baseDir: '/m',
        references,
      }).lines.join('\n'),
      /file empty/,
    );
    delete stats['/m/repl-n2--n3.txt'];
    assert.match(
      check(mesh('{ per: link, password_file: "repl-{link}.txt" }'), {
        baseDir: '/m',
        references,
      }).lines.join('\n'),
      /file missing: \/m\/repl-n2--n3\.txt/,
    );
  });
});
