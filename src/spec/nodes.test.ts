import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReferenceChecks } from './context.ts';
import { check, meshWithN1 as mesh } from './test-support.ts';

const refs = (env: Record<string, string>, files: string[] = []): ReferenceChecks => ({
  env,
  fileExists: (p) => files.includes(p),
});

describe('nodes: URLs, credentials by reference, TLS references', () => {
  it('bad URL', () => {
    assert.deepEqual(check(mesh('{ url: "not a url" }')).lines, [
      "mesh.yaml:3:14 nodes.n1.url: 'not a url' is not a URL — expected an http:// or https:// URL such as http://127.0.0.1:5984",
    ]);
    assert.deepEqual(check(mesh('{ url: "127.0.0.1:5984" }')).lines, [
      "mesh.yaml:3:14 nodes.n1.url: '127.0.0.1:5984' is not a URL — expected an http:// or https:// URL such as http://127.0.0.1:5984 (hint: add the scheme: http://127.0.0.1:5984)",
    ]);
    assert.deepEqual(check(mesh('{ url: "ftp://host" }')).lines, [
      "mesh.yaml:3:14 nodes.n1.url: URL scheme 'ftp:' is not supported — expected an http:// or https:// URL such as http://127.0.0.1:5984",
    ]);
    assert.deepEqual(check(mesh('{ url: "http://h/?x=1" }')).lines, [
      'mesh.yaml:3:14 nodes.n1.url: URL http://h/?x=1 has a query or fragment — expected a base URL: scheme, host, port and an optional path prefix',
    ]);
    assert.deepEqual(check(mesh('{ }')).lines, [
      "mesh.yaml:3:7 nodes.n1.url: missing required field 'url' — expected an http:// or https:// URL such as http://127.0.0.1:5984",
    ]);
  });

  it('URL with credentials: refused without repeating them', () => {
    const r = check(mesh('{ url: "http://admin:hunter2@127.0.0.1:5984" }'));
    assert.deepEqual(r.lines, [
      "mesh.yaml:3:14 nodes.n1.url: URL http://***@127.0.0.1:5984 carries credentials — expected a URL without user:password@ (hint: remove 'user:password@' and reference the credentials: auth: { username, password_env: VAR })",
    ]);
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
  });

  it('still checks the URL of a node with other errors', () => {
    const r = check(mesh('{ url: "http://u:pw@h", reachble: false }'));
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['E_URL_CREDENTIALS', 'E_UNKNOWN_KEY'],
    );
  });

  it('normalizes URLs (trailing slash) and keeps a path prefix', () => {
    const r = check(mesh('{ url: "https://host:6984/couchdb/" }'));
    assert.equal(r.spec?.nodes[0]?.url, 'https://host:6984/couchdb');
  });

  it('an inline password is an error with a hint, and never echoed', () => {
    const r = check(mesh('{ url: "http://h", auth: { username: admin, password: hunter2 } }'));
    assert.deepEqual(r.lines, [
      'mesh.yaml:3:51 nodes.n1.auth.password: inline passwords are not allowed in mesh.yaml — expected password_env: VAR or password_file: path (hint: reference the password instead: password_env names an environment variable, password_file a file holding only the password)',
    ]);
    assert.doesNotMatch(JSON.stringify(r), /hunter2/);
  });

  it('missing credential variable: checked against the injected env only', () => {
    const text = mesh('{ url: "http://h", auth: { username: admin, password_env: N1_PASSWORD } }');
    assert.deepEqual(check(text, { references: refs({}) }).lines, [
      'mesh.yaml:3:65 nodes.n1.auth.password_env: environment variable N1_PASSWORD is not set — expected the password of node n1 in N1_PASSWORD (hint: export N1_PASSWORD=… before running couchmesh (or validate with --skip-credentials))',
    ]);
    assert.deepEqual(check(text, { references: refs({ N1_PASSWORD: 's3cret' }) }).lines, []);
    // without reference checks (graph), only the shape is checked
    assert.deepEqual(check(text).lines, []);
    assert.deepEqual(check(text).spec?.nodes[0]?.auth, { username: 'admin', password_env: 'N1_PASSWORD' });
  });

  it('one unset variable named by several nodes is one error, at its first use', () => {
    const text = `mesh: t
nodes:
  n1: { url: http://a, auth: { username: u, password_env: PW } }
  n2: { url: http://b, auth: { username: u, password_env: PW } }
databases: [d]
links: [[n1, n2]]
`;
    assert.deepEqual(check(text, { references: refs({}) }).lines, [
      'mesh.yaml:3:59 nodes.n1.auth.password_env: environment variable PW is not set — expected the password of nodes n1, n2 in PW (hint: export PW=… before running couchmesh (or validate with --skip-credentials))',
    ]);
  });

  it('missing password file, resolved against the mesh file folder', () => {
    const text = mesh('{ url: "http://h", auth: { username: admin, password_file: secrets/n1.pw } }');
    assert.deepEqual(check(text, { baseDir: '/etc/mesh', references: refs({}) }).lines, [
      "mesh.yaml:3:66 nodes.n1.auth.password_file: password file /etc/mesh/secrets/n1.pw does not exist — expected a file holding only the password of 'admin' on n1 (hint: create it (mode 0600) or fix the path; relative paths start at the mesh file's folder)",
    ]);
    const ok = check(text, { baseDir: '/etc/mesh', references: refs({}, ['/etc/mesh/secrets/n1.pw']) });
    assert.deepEqual(ok.lines, []);
    assert.deepEqual(ok.spec?.nodes[0]?.auth, {
      username: 'admin',
      password_file: '/etc/mesh/secrets/n1.pw',
    });
  });

  it('auth with no password reference, or two', () => {
    assert.deepEqual(check(mesh('{ url: "http://h", auth: { username: admin } }')).lines, [
      'mesh.yaml:3:32 nodes.n1.auth: auth names no password — expected password_env: VAR or password_file: path (hint: the password is referenced, never written in mesh.yaml)',
    ]);
    assert.deepEqual(
      check(mesh('{ url: "http://h", auth: { username: a, password_env: P, password_file: f } }')).lines,
      [
        'mesh.yaml:3:32 nodes.n1.auth: auth has both password_env and password_file — expected one password reference (hint: keep one of them)',
      ],
    );
  });

  it('TLS references: pairs, files, http URLs', () => {
    assert.deepEqual(check(mesh('{ url: "https://h", tls: { cert_file: c.pem } }')).lines, [
      'mesh.yaml:3:32 nodes.n1.tls: tls needs both cert_file and key_file for mutual TLS; key_file is missing — expected cert_file and key_file together (or neither)',
    ]);
    const text = mesh('{ url: "https://h", tls: { ca_file: ca.pem } }');
    assert.deepEqual(check(text, { baseDir: '/m', references: refs({}) }).lines, [
      "mesh.yaml:3:43 nodes.n1.tls.ca_file: ca_file /m/ca.pem does not exist — expected a PEM file (hint: fix the path; relative paths start at the mesh file's folder)",
    ]);
    assert.deepEqual(check(mesh('{ url: "http://h", tls: { ca_file: ca.pem } }')).lines, [
      'mesh.yaml:3:31 warning nodes.n1.tls: tls is set but the URL is http://, so it is not used (hint: use an https:// URL, or remove tls)',
    ]);
  });

  it('role and reachable: values and defaults', () => {
    assert.deepEqual(check(mesh('{ url: "http://h", role: edgy }')).lines, [
      "mesh.yaml:3:32 nodes.n1.role: got 'edgy' — expected one of edge, relay, hub (hint: did you mean 'edge'?)",
    ]);
    assert.deepEqual(check(mesh('{ url: "http://h", reachable: no }')).lines, [
      "mesh.yaml:3:37 nodes.n1.reachable: got 'no' — expected true or false (hint: write true or false (YAML 1.2 reads yes/no as strings))",
    ]);
    const r = check(mesh('{ url: "http://h", role: relay, reachable: false, region: eu }'));
    assert.deepEqual(r.spec?.nodes[0], {
      name: 'n1',
      url: 'http://h',
      role: 'relay',
      reachable: false,
      region: 'eu',
    });
  });

  it('node names: lowercase, no double hyphen', () => {
    const r = check(
      'mesh: t\nnodes:\n  N1: { url: http://a }\n  a--b: { url: http://b }\ndatabases: [d]\nlinks: [[N1, a--b]]\n',
    );
    assert.deepEqual(r.lines.slice(0, 2), [
      "mesh.yaml:3:3 nodes.N1: node name 'N1' is not valid — expected lowercase letters, digits, _ and -, starting with a letter",
      "mesh.yaml:4:3 nodes.a--b: node name 'a--b' contains '--' — expected a name without a double hyphen (hint: '--' separates the two nodes of a link in document ids (n1--n2))",
    ]);
  });

  it('nodes written as a list', () => {
    assert.deepEqual(check('mesh: t\nnodes:\n  - n1\ndatabases: [d]\n').lines, [
      'mesh.yaml:3:3 nodes: got a list — expected a mapping of node name -> { url, auth, … } (hint: write nodes as `n1: { url: … }` entries, not as a list)',
    ]);
  });

  it('couch_tls: kept as declared, the files never checked here (they live on the node)', () => {
    const r = check(
      mesh('{ url: "http://h", couch_tls: { cert_file: /etc/c.pem, key_file: /etc/k.pem, verify: true } }'),
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.nodes[0]?.couch_tls, {
      cert_file: '/etc/c.pem',
      key_file: '/etc/k.pem',
      verify: true,
    });
  });

  it('couch_tls: a certificate without its key, an unknown key, a verify that is not a boolean', () => {
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { cert_file: /c.pem } }')).lines.length, 1);
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { password: x } }')).lines.length, 1);
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { verify: "yes" } }')).lines.length, 1);
  });
});
