import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import type { PlanView } from '../../ops/plan-view.ts';
import type { ManagedReplication } from '../../plan/types.ts';
import { exitWith } from '../commands/shared.ts';
import { incompleteHint, incompleteReason, renderPlan, summaryLine } from './plan.ts';

const doc = (cls: string) => ({ couchmesh: { class: cls } }) as unknown as ManagedReplication;

const view = (over: Partial<PlanView> = {}): PlanView => ({
  mesh: 'seed',
  file: '/tmp/elsewhere/mesh.yaml',
  mode: 'apply',
  prune: false,
  changes: true,
  complete: false,
  summary: {
    create_db: 1,
    add: 1,
    change: 1,
    rotate: 0,
    move: 0,
    security: 0,
    users: 0,
    config: 0,
    destroy: 1,
    unchanged: 6,
    drift: 1,
    orphans: 1,
    unreachable: 1,
    refused: 0,
    blocked: 1,
  },
  nodes: [
    {
      node: 'n1',
      url: 'http://127.0.0.1:1',
      reachable: true,
      managed_docs: 2,
      other_docs: 0,
      requests: { reads: 2, writes: 0 },
    },
    {
      node: 'n4',
      url: 'http://127.0.0.1:4',
      reachable: false,
      managed_docs: 0,
      other_docs: 0,
      requests: { reads: 0, writes: 0 },
    },
  ],
  actions: [
    { kind: 'create-db', node: 'n1', db: 'sensors' },
    {
      kind: 'create-doc',
      node: 'n2',
      id: 'couchmesh.seed.sensors.n1--n2',
      mode: 'pull',
      doc: doc('cellular'),
    },
    {
      kind: 'update-doc',
      node: 'n1',
      id: 'couchmesh.seed.sensors.n2--n1',
      rev: '1-a',
      mode: 'push',
      doc: doc('lan'),
      changed: ['checkpoint_interval'],
      diff: [{ path: 'checkpoint_interval', from: 5000, to: 10000 }],
      drift: false,
      change: 'fields',
    },
    { kind: 'delete-doc', node: 'n3', id: 'couchmesh.seed.sensors.n1--n3', rev: '2-b', reason: 'pruned' },
  ],
  drift: [
    {
      node: 'n2',
      id: 'couchmesh.seed.sensors.n3--n2',
      fields: ['source'],
      diff: [{ path: 'source.auth.basic.password', from: '(sensitive)', to: '(sensitive)' }],
    },
  ],
  orphans: [{ node: 'n3', id: 'couchmesh.seed.sensors.n9--n3' }],
  unreachable: [{ node: 'n4', code: 'E_COUCH_UNREACHABLE', message: 'connect ECONNREFUSED' }],
  refused: [],
  errors: [{ node: 'n2', id: 'couchmesh.seed.sensors.n4--n2', message: 'not ours' }],
  observed: 'abc',
  ...over,
});

describe('plan view', () => {
  it('renders every kind of line, drift and the rest apart, and the Terraform-like summary', () => {
    const text = renderPlan(view());
    assert.equal(
      text,
      [
        "Plan for mesh 'seed' (/tmp/elsewhere/mesh.yaml): 1 of 2 nodes observed",
        '',
        '  + create db sensors on n1',
        '  + create couchmesh.seed.sensors.n1--n2 on n2 (pull, cellular)',
        '  ~ update couchmesh.seed.sensors.n2--n1 on n1 (checkpoint_interval: 5000 -> 10000)',
        '  - delete couchmesh.seed.sensors.n1--n3 on n3 (no longer declared: --prune)',
        '',
        'Drift (managed documents edited by hand; the updates above put them back):',
        '  ! drift couchmesh.seed.sensors.n3--n2 on n2: source.auth.basic.password is (sensitive), declared (sensitive)',
        '',
        'Kept: 1 managed document no longer declared (run with --prune to delete them):',
        '  couchmesh.seed.sensors.n9--n3 on n3',
        '',
        'Unreachable (nothing planned there; the other nodes are planned):',
        '  n4 http://127.0.0.1:4: E_COUCH_UNREACHABLE — connect ECONNREFUSED',
        '',
        'Blocked (left as they are):',
        '  n2 couchmesh.seed.sensors.n4--n2: not ours',
        '',
        'Plan: 1 to create db, 1 to add, 1 to change, 1 to destroy.',
      ].join('\n'),
    );
  });

  it('kept replication users: listed apart, the fix named, never a password', () => {
    const text = renderPlan(view({ kept_users: [{ node: 'n1', name: 'couchmesh-repl-n2' }] }));
    assert.match(
      text,
      /Kept: 1 replication user no longer needed, still granted \(run with --prune to delete them\):\n {2}user couchmesh-repl-n2 on n1\n/,
    );
  });

  it('re-scan warnings: one line per direction, the hint once', () => {
    const w = {
      code: 'W_PLAN_RESCAN' as const,
      node: 'n1',
      id: 'couchmesh.seed.sensors.n2--n1',
      db: 'sensors',
      from: 'n2',
      to: 'n1',
      changes: [{ field: 'source.url', from: 'http://a/sensors', to: 'http://b/sensors' }],
      docs: 20,
      message: 'n2->n1 (sensors) re-scans from 0: 20 docs in sensors on n2',
      hint: 'keep the url stable',
    };
    const text = renderPlan(view({ warnings: [w] }));
    assert.match(
      text,
      /Re-scans[^\n]*\n {2}! couchmesh\.seed\.sensors\.n2--n1 on n1: n2->n1 \(sensors\) re-scans from 0: 20 docs in sensors on n2\n {2}\(hint: keep the url stable\)/,
    );
  });

  it('no changes; destroy keeps the databases and says so', () => {
    const none = view({
      actions: [],
      drift: [],
      orphans: [],
      unreachable: [],
      errors: [],
      changes: false,
      complete: true,
    });
    assert.match(
      renderPlan(none),
      /\nNo changes\. The nodes match \/tmp\/elsewhere\/mesh\.yaml \(6 documents up to date\)\.$/,
    );
    const destroy = renderPlan(
      view({
        mode: 'destroy',
        actions: [
          {
            kind: 'delete-doc',
            node: 'n1',
            id: 'couchmesh.seed.sensors.n2--n1',
            rev: '1-a',
            reason: 'destroy',
          },
        ],
        drift: [],
        orphans: [],
        unreachable: [],
        errors: [],
        databases_kept: [
          { node: 'n1', db: 'sensors' },
          { node: 'n2', db: 'sensors' },
        ],
      }),
    );
    assert.match(destroy, /^Destroy plan for mesh 'seed'/);
    assert.match(destroy, /- delete couchmesh\.seed\.sensors\.n2--n1 on n1 \(destroy\)/);
    assert.match(
      destroy,
      /Databases are kept \(sensors on n1, n2\): destroy removes only couchmesh's replication documents \(and replication users\), never data\./,
    );
  });

  it('summaryLine and exitWith (a silent exit code through commander)', () => {
    assert.equal(summaryLine(view().summary), 'Plan: 1 to create db, 1 to add, 1 to change, 1 to destroy.');
    assert.throws(
      () => exitWith(2),
      (e: unknown) => e instanceof CommanderError && e.exitCode === 2 && e.message === '',
    );
  });
});

describe('_security in the plan', () => {
  it('one line per node and database, drift shown with its lists, counted in the summary', () => {
    const diff = [{ path: 'members.roles', from: ['everyone'], to: ['readers'] }];
    const security = { admins: { names: [], roles: [] }, members: { names: [], roles: ['readers'] } };
    const text = renderPlan(
      view({
        actions: [
          {
            kind: 'set-security',
            node: 'n1',
            db: 'sensors',
            security,
            diff: [{ path: 'members.roles', from: [], to: ['readers'] }],
            drift: false,
          },
          { kind: 'set-security', node: 'n2', db: 'sensors', security, diff, drift: true },
        ],
        drift: [{ node: 'n2', id: 'sensors/_security', fields: ['members'], diff }],
        summary: { ...view().summary, security: 2 },
      }),
    );
    assert.match(text, /^ {2}~ security sensors on n1: members\.roles \[\] -> \[readers\]$/m);
    assert.match(
      text,
      /^ {2}~ security sensors on n2: repairs drift: members\.roles \[everyone\] -> \[readers\]$/m,
    );
    assert.match(
      text,
      /! drift sensors\/_security on n2: members\.roles is \[everyone\], declared \[readers\]/,
    );
    assert.match(text, /Plan: 1 to create db, 1 to add, 1 to change, 2 to set security, 1 to destroy\./);
  });
});

describe('_config in the plan', () => {
  it('one line per key, the old value or (unset), counted in the summary', () => {
    const text = renderPlan(
      view({
        actions: [
          { kind: 'set-config', node: 'n1', section: 'replicator', key: 'cert_file', value: '/etc/n1.crt' },
          { kind: 'set-config', node: 'n3', section: 'ssl', key: 'enable', value: 'true', from: 'false' },
        ],
        summary: { ...view().summary, config: 2 },
      }),
    );
    assert.match(text, /^ {2}~ config n1 \[replicator\] cert_file: \(unset\) -> \/etc\/n1\.crt$/m);
    assert.match(text, /^ {2}~ config n3 \[ssl\] enable: false -> true$/m);
    assert.match(text, /1 to change, 2 to set config, 1 to destroy\./);
  });
});

describe('incomplete plan', () => {
  it('says why: unreachable nodes, foreign ids, creates withheld for an unseen node (with its hint)', () => {
    const v = view({
      unreachable: [{ node: 'n4', code: 'E_COUCH_UNREACHABLE', message: 'refused' }],
      errors: [
        { node: 'n2', id: 'a', message: 'not ours' },
        { node: 'n3', id: 'b', message: 'not created', hint: 'bring n4 back', waits_for: 'n4' },
      ],
      complete: false,
    });
    assert.equal(
      incompleteReason(v),
      '1 node unreachable (n4), 1 document blocked by foreign documents, 1 create withheld while n4 cannot be seen',
    );
    assert.match(renderPlan(v), /\n {2}n3 b: not created\n {4}hint: bring n4 back\n/);
  });
});

describe('credentials in the plan', () => {
  /** a view with nothing but what a test adds */
  const bare = { actions: [], drift: [], orphans: [], unreachable: [], errors: [] };
  const rotation = (node: string, id: string, rotates: string[]) => ({
    kind: 'update-doc' as const,
    node,
    id,
    rev: '1-a',
    mode: 'pull' as const,
    doc: doc('cellular'),
    changed: ['source', 'couchmesh'],
    diff: [{ path: 'source.auth.basic.password', from: '(sensitive)', to: '(sensitive)' }],
    drift: false,
    change: 'credentials' as const,
    rotates,
  });

  it('a rotation is one line per node whose credentials change, counted apart, never a generic update', () => {
    const v = view({
      ...bare,
      actions: [
        rotation('n1', 'couchmesh.seed.sensors.n3--n1', ['n3']),
        rotation('n2', 'couchmesh.seed.sensors.n3--n2', ['n3']),
        rotation('n4', 'couchmesh.seed.sensors.n3--n4', ['n3']),
        rotation('n3', 'couchmesh.seed.sensors.n4--n3', ['n4', 'n3']),
      ],
      summary: { ...view().summary, create_db: 0, add: 0, change: 0, rotate: 4, destroy: 0 },
      complete: true,
    });
    const text = renderPlan(v);
    assert.match(text, /\n {2}~ rotate credentials for n3 on 4 docs \(on n1, n2, n3, n4\)\n/);
    assert.match(text, /\n {2}~ rotate credentials for n4 on 1 doc \(on n3\)\n/);
    assert.doesNotMatch(text, /~ update|sensitive/);
    assert.match(
      text,
      /\nPlan: 0 to create db, 0 to add, 0 to change, 4 to rotate credentials, 0 to destroy\.$/,
    );
  });

  it('a node that refused the credentials: its own section with the fix, the withheld docs, the reason', () => {
    const v = view({
      ...bare,
      refused: [
        {
          node: 'n1',
          code: 'E_COUCH_AUTH',
          message: '401 unauthorized',
          hint: "check the password of 'admin' in file /run/n1.pw (n1 answered 401: wrong or missing password), then apply again",
        },
      ],
      errors: [
        {
          node: 'n2',
          id: 'couchmesh.seed.sensors.n1--n2',
          message:
            "not written: the doc carries n1's credentials, which n1 refused (E_COUCH_AUTH); they are written nowhere",
          hint: "check the password of 'admin' in file /run/n1.pw",
          waits_for: 'n1',
          withheld: 'refused',
        },
      ],
      nodes: [{ ...(view().nodes[0] as PlanView['nodes'][number]), refused: true }],
    });
    const text = renderPlan(v);
    assert.match(text, /^Plan for mesh 'seed' \(.*\): 0 of 1 node observed/);
    assert.match(
      text,
      /\nCredentials refused \(nothing planned there; no doc carrying their credentials is written anywhere\):\n {2}n1 http:\/\/127\.0\.0\.1:1: E_COUCH_AUTH — 401 unauthorized\n {4}hint: check the password of 'admin' in file \/run\/n1\.pw/,
    );
    assert.match(
      text,
      /\n {2}n2 couchmesh\.seed\.sensors\.n1--n2: not written: the doc carries n1's credentials/,
    );
    assert.equal(
      incompleteReason(v),
      "1 node refused couchmesh's credentials (n1), 1 document withheld: they carry credentials n1 refused",
    );
    assert.match(
      incompleteHint(v),
      /^fix the credentials of n1 \(each refusal's hint names the env variable or file/,
    );
  });
});
