// Layers and cycles, checked in CI (`npm run lint:deps`, .ci/run). The order, top to bottom:
//   front ends  src/cli, src/api, web/              parse input, call one operation, render
//   controller  src/controller                      the long-running loops (`couchmesh run`) over operations
//   operations  src/ops                             plan, apply, destroy, status, doctor, ... (the API)
//   domain      spec plan apply observe health alerts metrics resolve security canary (+ a watch/poller folder)
//   client      src/couch                           the CouchDB HTTP client
//   core        src/couchdb (pure CouchDB model), src/core (seams: Clock, Random, errors)
// A module may import its own layer and those below it. src/node (the embedded node) stands apart:
// it uses only core, client and couchdb, and only its entry (src/node/index.ts) is seen from outside
// it, by front ends, tests and benches. Tests and benches sit above everything but never drive the
// CLI's commands (they call operations). Type-only imports count: a layer is about what code knows.

const FRONT = '^(src/(cli|daemon|api)|web)/';
const CONTROLLER = '^src/controller/';
const OPS = '^src/ops/';
const DOMAIN =
  '^src/(spec|plan|apply|observe|health|alerts|metrics|resolve|watch|poller|poll|security|relay|canary|failover|verify|rehearse)/';
const CLIENT = '^src/couch/';
const COUCHDB = '^src/couchdb/';
const CORE = '^src/core/';
const NODE = '^src/node/';
const TEST_FILE = '\\.test\\.ts$';
// Test-only modules inside src (kept out of dist by tsconfig.build.json; scripts/check-dist.mjs checks).
// Written without nested quantifiers, which dependency-cruiser refuses as unsafe regular expressions.
const HELPERS = ['test-support\\.ts$', 'testing\\.ts$', 'testing/', 'fixtures/'];
const HELPER_TAIL = HELPERS.flatMap((h) => [h, `.*/${h}`]).join('|');
const TEST_ONLY = `^src/[^/]+/(${HELPER_TAIL})`;
/** After a layer's folder: a test file or a test helper. */
const TEST_TAIL = `(.*${TEST_FILE}|${HELPER_TAIL})`;
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|dns/promises|child_process|cluster|worker_threads|readline|inspector)$';

const NODE_ENTRY = '^src/node/index\\.ts$';

/**
 * A layer's rule: its modules import within src only their own layer and `below`. Its test files
 * (x.test.ts beside x.ts) may also use test helpers and start an embedded node (src/node/index.ts).
 */
function layer(name, comment, path, below) {
  const allowed = (extra) => `(${[path, ...below, ...extra].join('|')})`;
  return [
    {
      name: `layer-${name}`,
      severity: 'error',
      comment,
      from: { path, pathNot: `(${TEST_FILE}|${TEST_ONLY})` },
      to: { path: '^(src|web)/', pathNot: allowed([]) },
    },
    {
      name: `layer-${name}-tests`,
      severity: 'error',
      comment: `${comment} (Its tests may also use test helpers and start a node.)`,
      from: { path: `${path}${TEST_TAIL}` },
      to: { path: '^(src|web)/', pathNot: allowed([TEST_ONLY, NODE_ENTRY]) },
    },
  ];
}

/** A rule for shipped code: src without its tests and test helpers (what dist is built from). */
function shipped(name, comment, to) {
  return {
    name,
    severity: 'error',
    comment,
    from: { path: '^src/', pathNot: `(${TEST_FILE}|${TEST_ONLY})` },
    to,
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be understood, tested or loaded one without the other.',
      from: { path: '^(src|test|bench)/' },
      to: { circular: true },
    },
    ...layer(
      'core',
      'src/core holds the seams everything shares; it depends on nothing else in src.',
      CORE,
      [],
    ),
    ...layer('couchdb', "src/couchdb is CouchDB's model as pure functions: it uses src/core only.", COUCHDB, [
      CORE,
    ]),
    {
      name: 'couchdb-does-no-io',
      severity: 'error',
      comment: 'src/couchdb does no I/O: no file, network or process builtins.',
      from: { path: COUCHDB, pathNot: `(${TEST_FILE}|${TEST_ONLY})` },
      to: { dependencyTypes: ['core'], path: IO_BUILTINS },
    },
    ...layer('client', 'src/couch (the HTTP client) sits on src/couchdb and src/core.', CLIENT, [
      COUCHDB,
      CORE,
    ]),
    ...layer(
      'domain',
      'The domain never calls up into operations or front ends, nor into the embedded node.',
      DOMAIN,
      [CLIENT, COUCHDB, CORE],
    ),
    ...layer('operations', 'Operations are what every front end calls; they never import a front end.', OPS, [
      DOMAIN,
      CLIENT,
      COUCHDB,
      CORE,
    ]),
    ...layer(
      'controller',
      'The controller runs operations in loops; it never imports a front end.',
      CONTROLLER,
      [OPS, DOMAIN, CLIENT, COUCHDB, CORE],
    ),
    ...layer(
      'front-end',
      "Front ends call the controller and operations (and below); they see only the embedded node's entry.",
      FRONT,
      [CONTROLLER, OPS, DOMAIN, CLIENT, COUCHDB, CORE, NODE_ENTRY],
    ),
    ...layer(
      'node',
      'The embedded node uses src/core, src/couch and src/couchdb only (a CouchDB, not a couchmesh).',
      NODE,
      [CLIENT, COUCHDB, CORE],
    ),
    {
      name: 'node-internals-private',
      severity: 'error',
      comment: 'Outside src/node only its entry (src/node/index.ts) is imported; tests may reach further.',
      from: { path: '^(src|bench|web)/', pathNot: `(${NODE}|${TEST_FILE}|${TEST_ONLY})` },
      to: { path: NODE, pathNot: NODE_ENTRY },
    },
    shipped(
      'src-never-imports-tests-or-benches',
      'Shipped code cannot depend on test/ or bench/; a test beside its code may use a test/ helper.',
      { path: '^(test|bench)/' },
    ),
    {
      name: 'src-tests-never-import-benches',
      severity: 'error',
      comment: 'Benches are programs, not helpers.',
      from: { path: '^src/' },
      to: { path: '^bench/' },
    },
    shipped(
      'shipped-code-never-imports-test-support',
      'Test helpers and fixtures are excluded from dist; shipped code importing one would ship it.',
      { path: TEST_ONLY },
    ),
    {
      name: 'no-cli-commands-outside-the-cli',
      severity: 'error',
      comment: 'Benches and tests call operations, not CLI commands (only src/cli/** tests drive commands).',
      from: { path: '^(test|bench)/' },
      to: { path: '^src/cli/commands/' },
    },
    shipped(
      'shipped-code-never-imports-dev-dependencies',
      'A devDependency is not installed for users: shipped code must not import one.',
      { dependencyTypes: ['npm-dev'] },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/' },
    includeOnly: '^(src|test|bench|scripts|web|types)/|^node_modules/|^(node:)?[a-z_/]+$',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
