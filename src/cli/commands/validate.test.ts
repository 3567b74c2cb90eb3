import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../main.ts';
import { captureOutput } from '../testing.ts';

const capture = captureOutput;

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'couchmesh-validate-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const BAD = write(
  'bad.yaml',
  'mesh: t\nnodes:\n  n1: { url: http://a }\n  n2: { url: http://b }\n  n3: { url: http://c }\n  n4: { url: http://d }\ndatabases: [d]\nlinks:\n  - [n1, n2]\n  - [n2, n3]\n  - [n3, n4]\n  - { between: [n1, n9] }\n',
);

describe('couchmesh validate', () => {
  afterEach(() => {
    delete process.env.CM_TEST_PW;
    delete process.env.COUCHMESH_FILE;
  });

  it('valid mesh: exit 0 and a summary', async () => {
    const o = capture();
    process.env.COUCHMESH_PASSWORD ??= 'test';
    assert.equal(await main(['validate', '-f', join(examples, 'seed-mesh.yaml')], o), 0);
    assert.match(o.stdout, /seed-mesh\.yaml: valid — mesh 'seed': 4 nodes, 5 links, 1 database \(sensors\)/);
    assert.equal(o.stderr, '');
  });

  it('errors: exit 1, one line per problem, a hint on stderr', async () => {
    const o = capture();
    assert.equal(await main(['validate', '-f', BAD], o), 1);
    assert.equal(
      o.stdout,
      `${BAD}:12:21 links[3].between[1]: unknown node 'n9' — expected one of n1, n2, n3, n4 (hint: did you mean 'n1'?)\n`,
    );
    assert.match(
      o.stderr,
      /couchmesh: .*bad\.yaml is not valid: 1 error\n {2}hint: fix the errors listed above/,
    );
  });

  it('warnings only: exit 0', async () => {
    const p = write(
      'warn.yaml',
      'mesh: t\nnodes:\n  a: { url: http://a }\n  b: { url: http://b }\ndatabases: [d]\nlinks:\n  - { between: [a, b], class: cellular, overrides: { checkpoint_interval: 60000 } }\n',
    );
    const o = capture();
    assert.equal(await main(['validate', '-f', p], o), 0);
    assert.match(
      o.stdout,
      /warn\.yaml:7:75 warning links\[0\]\.overrides\.checkpoint_interval: checkpoint_interval 60000 ms is above/,
    );
    assert.match(o.stdout, /valid \(1 warning\)/);
  });

  it('--json: diagnostics and the resolved mesh, never a secret', async () => {
    process.env.CM_TEST_PW = 'hunter2-secret';
    const p = write(
      'json.yaml',
      'mesh: t\nnodes:\n  a: { url: http://a, auth: { username: u, password_env: CM_TEST_PW } }\n  b: { url: http://b }\ndatabases: [d]\nlinks: [[a, b]]\n',
    );
    const o = capture();
    assert.equal(await main(['validate', '-f', p, '--json'], o), 0);
    const r = JSON.parse(o.stdout);
    assert.equal(r.ok, true);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.spec.nodes[0].auth, { username: 'u', password_env: 'CM_TEST_PW' });
    assert.doesNotMatch(o.stdout + o.stderr, /hunter2/);

    const bad = capture();
    assert.equal(await main(['validate', '-f', BAD, '--json'], bad), 1);
    const rb = JSON.parse(bad.stdout);
    assert.equal(rb.ok, false);
    assert.equal(rb.spec, undefined);
    assert.deepEqual(rb.diagnostics[0], {
      severity: 'error',
      code: 'E_UNKNOWN_NODE',
      file: BAD,
      line: 12,
      column: 21,
      path: 'links[3].between[1]',
      message: "unknown node 'n9'",
      expected: 'one of n1, n2, n3, n4',
      hint: "did you mean 'n1'?",
    });
    assert.equal(JSON.parse(bad.stderr).error.code, 'E_MESH_INVALID');
  });

  it('missing credential variable; --skip-credentials skips the check', async () => {
    const p = write(
      'creds.yaml',
      'mesh: t\nnodes:\n  a: { url: http://a, auth: { username: u, password_env: CM_TEST_PW } }\n  b: { url: http://b }\ndatabases: [d]\nlinks: [[a, b]]\n',
    );
    const o = capture();
    assert.equal(await main(['validate', '-f', p], o), 1);
    assert.match(
      o.stdout,
      /creds\.yaml:3:58 nodes\.a\.auth\.password_env: environment variable CM_TEST_PW is not set/,
    );
    assert.equal(await main(['validate', '-f', p, '--skip-credentials'], capture()), 0);
  });

  it('inline passwords and URL credentials are refused without being printed', async () => {
    const p = write(
      'inline.yaml',
      'mesh: t\nnodes:\n  a: { url: "http://u:hunter2@a", auth: { username: u, password: hunter2 } }\n  b: { url: http://b }\ndatabases: [d]\nlinks: [[a, b]]\n',
    );
    for (const args of [[], ['--json']]) {
      const o = capture();
      assert.equal(await main(['validate', '-f', p, ...args], o), 1);
      assert.match(o.stdout, /E_INLINE_PASSWORD|inline passwords are not allowed/);
      assert.match(o.stdout, /E_URL_CREDENTIALS|carries credentials/);
      assert.doesNotMatch(o.stdout + o.stderr, /hunter2/);
    }
  });

  it('COUCHMESH_FILE names the default file; a missing file says how to make one', async () => {
    process.env.COUCHMESH_FILE = BAD;
    assert.equal(await main(['validate'], capture()), 1);
    process.env.COUCHMESH_FILE = join(dir, 'nope.yaml');
    const o = capture();
    assert.equal(await main(['validate'], o), 1);
    assert.match(o.stderr, /no mesh file at .*nope\.yaml\n {2}hint: run 'couchmesh init'/);
  });
});

describe('couchmesh schema', () => {
  it('prints the JSON Schema committed as examples/mesh.schema.json', async () => {
    const o = capture();
    assert.equal(await main(['schema'], o), 0);
    assert.equal(o.stdout, readFileSync(join(examples, 'mesh.schema.json'), 'utf8'));
    assert.equal(JSON.parse(o.stdout).properties.mesh.type, 'string');
  });

  it('replication users: names every missing password variable and file, warns about a 0644 file, never a value', async () => {
    const base =
      'mesh: t\nnodes:\n  a: { url: http://a }\n  b: { url: http://b }\n  c: { url: http://c }\ndatabases: [d]\nlinks:\n  - [a, b]\n  - [b, c]\n';
    process.env.CM_REPL_A__B = 'repl-value-never-shown';
    try {
      const env = write(
        'repl-env.yaml',
        `${base}replication_users: { per: link, password_env: "CM_REPL_{LINK}" }\n`,
      );
      const o = capture();
      assert.equal(await main(['validate', '-f', env], o), 1);
      assert.match(
        o.stdout,
        /replication_users\.password_env: replication-user password variable not set: CM_REPL_B__C .*hint: export CM_REPL_B__C=/,
      );
      assert.ok(!o.all.includes('repl-value-never-shown'));
      assert.equal(await main(['validate', '-f', env, '--skip-credentials'], capture()), 0);

      writeFileSync(join(dir, 'repl-a--b.txt'), 'pw\n', { mode: 0o644 });
      writeFileSync(join(dir, 'repl-b--c.txt'), 'pw\n', { mode: 0o600 });
      const files = write(
        'repl-file.yaml',
        `${base}replication_users: { per: link, password_file: "repl-{link}.txt" }\n`,
      );
      const ok = capture();
      assert.equal(await main(['validate', '-f', files], ok), 0, ok.all);
      assert.match(ok.stdout, /valid \(1 warning\) — .*; replication users per link \(2 users\)$/m);
      assert.match(
        ok.stdout,
        /warning replication_users\.password_file: replication-user password file readable by other users: .*repl-a--b\.txt \(hint: chmod 600 /,
      );
      const missing = write(
        'repl-missing.yaml',
        `${base}replication_users: { per: link, password_file: "nope-{link}.txt" }\n`,
      );
      const m = capture();
      assert.equal(await main(['validate', '-f', missing, '--json'], m), 1);
      const codes = JSON.parse(m.stdout).diagnostics.map((d: { code: string }) => d.code);
      assert.deepEqual(codes, ['E_CREDENTIAL_FILE']);
      assert.match(m.stdout, /files missing: .*nope-a--b\.txt, .*nope-b--c\.txt/);
    } finally {
      delete process.env.CM_REPL_A__B;
    }
  });
});
