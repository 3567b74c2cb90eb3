import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, NODES } from './test-support.ts';

describe('validateMesh: every problem, with file:line:column, path, expectation and hint', () => {
  it('resolves a valid mesh and reports nothing', () => {
    const r = check(`${NODES}links:\n  - [n1, n2]\n  - [n2, n3]\n`);
    assert.deepEqual(r.lines, []);
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.spec?.links.map((l) => [l.key, l.class]),
      [
        ['n1--n2', 'wan'],
        ['n2--n3', 'wan'],
      ],
    );
    assert.deepEqual(r.spec?.nodes[0], {
      name: 'n1',
      url: 'http://127.0.0.1:5984',
      role: 'edge',
      reachable: true,
    });
  });

  it('unknown node in a link', () => {
    const r = check(`${NODES}links:\n  - [n1, n2]\n  - { between: [n2, n9] }\n`);
    assert.deepEqual(r.lines, [
      "mesh.yaml:9:21 links[1].between[1]: unknown node 'n9' — expected one of n1, n2, n3 (hint: did you mean 'n1'?)",
    ]);
    assert.equal(r.ok, false);
    assert.equal(r.spec, undefined);
  });

  it('unknown node without a close match hints at declaring it', () => {
    const r = check(`${NODES}links:\n  - [n1, gateway]\n`);
    assert.deepEqual(r.lines, [
      "mesh.yaml:8:10 links[0][1]: unknown node 'gateway' — expected one of n1, n2, n3 (hint: declare it under nodes: first)",
    ]);
  });

  it('self-link', () => {
    const r = check(`${NODES}links:\n  - [n2, n2]\n`);
    assert.deepEqual(r.lines, [
      "mesh.yaml:8:10 links[0][1]: node 'n2' is linked to itself — expected two different nodes (hint: a link replicates between two nodes; remove this one)",
    ]);
  });

  it('duplicate link (either order) points at the first declaration', () => {
    const r = check(`${NODES}links:\n  - [n1, n2]\n  - [n2, n3]\n  - { between: [n2, n1], class: lan }\n`);
    assert.deepEqual(r.lines, [
      'mesh.yaml:10:5 links[2]: link n2--n1 is declared twice — expected each pair of nodes linked once (hint: it is already declared at links[0] (line 8); one link replicates both ways, so remove one (list several databases on one link with databases:))',
    ]);
  });

  it('a link with other than two nodes', () => {
    const r = check(`${NODES}links:\n  - [n1, n2, n3]\n`);
    assert.deepEqual(r.lines, [
      'mesh.yaml:8:5 links[0]: got 3 items — expected exactly two node names, e.g. [n1, n2] (hint: to link more nodes use a generator: { generate: full-mesh, nodes: [n1, n2, n3] })',
    ]);
  });

  it('YAML syntax errors stop validation with their position', () => {
    const r = check('mesh: t\nnodes:\n  n1: { url: http://a\n  n2: 3\n');
    assert.equal(r.ok, false);
    assert.deepEqual(r.lines, [
      'mesh.yaml:4:3 YAML syntax error: Flow map in block collection must be sufficiently indented and end with a } (hint: check indentation, colons and closing brackets around this spot)',
    ]);
  });

  it('a tab-indented file is a syntax error too', () => {
    const r = check('mesh: t\nnodes:\n\tn1: {}\n');
    assert.equal(r.diagnostics[0]?.code, 'E_YAML_SYNTAX');
    assert.equal(r.diagnostics[0]?.line, 3);
  });

  it('empty mesh: an empty file, a file of comments, no nodes, no databases', () => {
    assert.deepEqual(check('').lines, [
      "mesh.yaml:1:1 mesh.yaml is empty — expected a mesh: mesh, nodes, databases and links (hint: run 'couchmesh init --force' to write a commented starter)",
    ]);
    assert.equal(check('# nothing yet\n\n').diagnostics[0]?.code, 'E_EMPTY_MESH');
    assert.deepEqual(check('mesh: t\nnodes: {}\ndatabases: [a]\n').lines, [
      "mesh.yaml:2:8 nodes: the mesh declares no nodes — expected nodes: a mapping of node name -> { url, auth, … } (hint: declare at least two nodes, e.g. n1: { url: 'http://127.0.0.1:5984' } (couchmesh init writes a starter))",
    ]);
    assert.deepEqual(check('mesh: t\nnodes:\n  n1: { url: http://a }\n').lines, [
      'mesh.yaml:1:1 the mesh replicates no databases — expected databases: a list of database names, e.g. [sensors] (hint: list the databases every link should carry)',
    ]);
  });

  it('a file that is not a mapping', () => {
    assert.deepEqual(check('- n1\n- n2\n').lines, [
      "mesh.yaml:1:1 the file holds a list — expected a mapping with mesh, nodes, databases and links (hint: run 'couchmesh init' for a commented starter)",
    ]);
  });

  it('unknown keys anywhere, with did-you-mean', () => {
    const r = check(
      `mesh: t\nnodse: {}\nnodes:\n  n1: { url: http://a, reachble: false }\n  n2: { url: http://b }\ndatabases: [d]\nlinks:\n  - { between: [n1, n2], clas: lan }\n`,
    );
    assert.deepEqual(r.lines, [
      "mesh.yaml:2:1 nodse: unknown key 'nodse' — expected one of mesh, nodes, databases, defaults, link_classes, links, thresholds, replication_users, controller, canary, failover (hint: did you mean 'nodes'?)",
      "mesh.yaml:4:24 nodes.n1.reachble: unknown key 'reachble' — expected one of url, members, via_relay, auth, region, role, reachable, tls, couch_tls (hint: did you mean 'reachable'?)",
      "mesh.yaml:8:26 links[0].clas: unknown key 'clas' — expected one of between, class, databases, overrides, endpoints (hint: did you mean 'class'?)",
    ]);
  });

  it('duplicate node names (and other duplicate keys)', () => {
    const r = check(
      'mesh: t\nnodes:\n  n1: { url: http://a }\n  n2: { url: http://b }\n  n1: { url: http://c }\ndatabases: [d]\nlinks: [[n1, n2]]\n',
    );
    assert.deepEqual(r.lines, [
      "mesh.yaml:5:3 nodes.n1: duplicate node name 'n1' — expected each node name once (hint: first declared on line 3; YAML would keep only the last one)",
    ]);
    const k = check(`${NODES}links: [[n1, n2], [n2, n3]]\nmesh: u\n`);
    assert.deepEqual(k.lines, [
      "mesh.yaml:8:1 mesh: duplicate key 'mesh' — expected each key once (hint: first declared on line 1; YAML would keep only the last one)",
    ]);
  });

  it('reports problems of several sections at once, in source order', () => {
    const r = check(
      'mesh: Bad Name\nnodes:\n  n1: { url: "ftp://x", role: edgy }\n  n2: { url: http://b }\ndatabases: [d, d]\nlinks:\n  - [n1, n3]\n',
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.line, d.code, d.path]),
      [
        [1, 'E_FORMAT', 'mesh'],
        [3, 'E_URL', 'nodes.n1.url'],
        [3, 'E_VALUE', 'nodes.n1.role'],
        [5, 'E_DUPLICATE_DATABASE', 'databases[1]'],
        [7, 'E_UNKNOWN_NODE', 'links[0][1]'],
      ],
    );
    assert.equal(r.errors, 5);
  });

  it('warns about nodes in no link and meshes without links', () => {
    assert.deepEqual(check(`${NODES}links:\n  - [n1, n2]\n`).lines, [
      "mesh.yaml:5:3 warning nodes.n3: node 'n3' is in no link (hint: link it to a peer, or remove it)",
    ]);
    const r = check(NODES);
    assert.deepEqual(r.lines, [
      'mesh.yaml:1:1 warning the mesh declares no links: nothing will replicate (hint: add links: - [n1, n2] or - { generate: full-mesh })',
    ]);
    assert.equal(r.ok, true);
  });

  it('system databases and bad database names', () => {
    const r = check(`${NODES.replace('[sensors]', '[_users, Sensors]')}links: [[n1, n2], [n2, n3]]\n`);
    assert.deepEqual(r.lines, [
      "mesh.yaml:6:13 databases[0]: '_users' is a system database — expected an application database name (lowercase letter first) (hint: couchmesh manages _replicator itself and does not replicate system databases)",
      "mesh.yaml:6:21 databases[1]: 'Sensors' is not valid — expected a CouchDB database name: lowercase letter first, then a-z 0-9 _ $ ( ) + / -",
    ]);
  });

  it('keeps database settings (security and conflicts filled in)', () => {
    const r = check(
      `${NODES.replace('[sensors]', '\n  - sensors\n  - { name: events, security: { members: { roles: [r] } }, conflicts: { strategy: max, field: v } }')}links: [[n1, n2], [n2, n3]]\n`,
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.databases, [
      { name: 'sensors' },
      {
        name: 'events',
        security: { admins: { names: [], roles: [] }, members: { names: [], roles: ['r'] } },
        conflicts: {
          strategy: 'max',
          field: 'v',
          type_field: 'type',
          audit: { db: 'couchmesh_audit' },
          batch_size: 500,
          concurrency: 4,
        },
      },
    ]);
  });

  it('fills in default thresholds and checks given ones', () => {
    const ok = check(`${NODES}links: [[n1, n2], [n2, n3]]\nthresholds: { stall_after_ms: 60000 }\n`);
    assert.equal(ok.spec?.thresholds.stall_after_ms, 60000);
    assert.equal(ok.spec?.thresholds.lag_warning_changes, 1000);
    const bad = check(
      `${NODES}links: [[n1, n2], [n2, n3]]\nthresholds: { stall_after: 6, lag_warning_changes: -1 }\n`,
    );
    assert.deepEqual(bad.lines, [
      "mesh.yaml:8:15 thresholds.stall_after: unknown key 'stall_after' — expected one of observe_interval_ms, lag_warning_changes, lag_critical_changes, stall_after_ms, crashing_after_ms, doc_write_failures, conflicts_warning, rate_limited_per_minute, relay_latency_ms (hint: did you mean 'stall_after_ms'?)",
      'mesh.yaml:8:52 thresholds.lag_warning_changes: got -1 — expected a number >= 0',
    ]);
  });

  it('follows anchors and merge keys', () => {
    const r = check(
      'mesh: t\nx-auth: &auth { username: a, password_env: P }\nnodes:\n  n1: { url: http://a, auth: *auth }\n  n2: { <<: { url: http://b }, auth: *auth }\ndatabases: [d]\nlinks: [[n1, n2]]\n',
      { references: { env: { P: 'x' }, fileExists: () => true } },
    );
    assert.deepEqual(r.lines, [
      "mesh.yaml:2:1 x-auth: unknown key 'x-auth' — expected one of mesh, nodes, databases, defaults, link_classes, links, thresholds, replication_users, controller, canary, failover (hint: remove it (keys are case-sensitive))",
    ]);
    assert.equal(r.errors, 1);
  });
});

describe('validateMesh never throws', () => {
  it('on arbitrary text or arbitrary YAML data, and never reports an error without a position', async () => {
    const fc = await import('fast-check');
    const { stringify } = await import('yaml');
    const key = fc.constantFrom(
      'mesh',
      'nodes',
      'databases',
      'links',
      'link_classes',
      'defaults',
      'thresholds',
      'url',
      'auth',
      'between',
      'generate',
      'n1',
      'n2',
      'class',
      'nodes',
      'hub',
      'password',
    );
    const data = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('n1', 'n2', 'all', 'star', 'ring', 'http://a', 'cellular', 'full-mesh'),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          data.map((d) => stringify(d)),
        ),
        (text) => {
          const r = check(text, { references: { env: {}, fileExists: () => false } });
          for (const d of r.diagnostics)
            assert.ok(d.line >= 1 && d.column >= 1 && d.message, JSON.stringify(d));
          assert.equal(r.ok, r.spec !== undefined);
        },
      ),
      { numRuns: 400 },
    );
  });
});
