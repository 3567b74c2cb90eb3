// FAILOVER (#15) canaries in the desired state: with `canary: { enabled: true }` every link carries
// the canary database, each direction a `_replicator` doc with `doc_ids: ["canary:A>B"]` (so a canary
// travels only its own direction's job), and `_security` follows the mesh's usual rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredState, docId } from '../../src/plan/desired.ts';
import { makePlan } from '../../src/plan/plan.ts';
import { afterApply, observedEmpty, pw, seed, withNodeUsers } from '../../src/plan/test-support.ts';
import { DEFAULT_CANARY } from '../../src/spec/canary.ts';
import type { LinkSpec, MeshSpec } from '../../src/spec/types.ts';

const CANARY = 'couchmesh_canary';
const on = (spec: MeshSpec): MeshSpec => ({ ...spec, canary: { ...DEFAULT_CANARY, enabled: true } });

describe('canary database in the desired state', () => {
  it('off (absent or enabled: false): the desired state is unchanged', () => {
    const base = desiredState(seed, pw);
    assert.deepEqual(desiredState({ ...seed, canary: DEFAULT_CANARY }, pw), base);
  });

  it('on: one doc_ids doc per direction of every link, the database on every linked node', () => {
    const d = desiredState(on(seed), pw);
    const canary = d.docs.filter((x) => x.body.couchmesh.db === CANARY);
    assert.equal(canary.length, 10, 'two per link');
    for (const doc of canary) {
      const { from, to } = doc.body.couchmesh;
      assert.equal(doc.id, docId('seed', CANARY, from, to));
      assert.deepEqual(doc.body.doc_ids, [`canary:${from}>${to}`]);
      assert.match(doc.body.source.url, new RegExp(`/${CANARY}$`));
    }
    assert.ok(
      d.docs.filter((x) => x.body.couchmesh.db === 'sensors').every((x) => x.body.doc_ids === undefined),
    );
    assert.equal(d.databases.filter((x) => x.db === CANARY).length, 4);
    const plan = makePlan(d, observedEmpty(seed, ['sensors']));
    assert.deepEqual(
      plan.actions.filter((a) => a.kind === 'create-db').map((a) => (a as { db: string }).db),
      [CANARY, CANARY, CANARY, CANARY],
    );
  });

  it('applied once, planning again is a no-op (doc_ids is ours, not drift)', () => {
    const spec = on(seed);
    const obs = afterApply(spec).map((o) => ({ ...o, databases: [...o.databases, CANARY] }));
    const plan = makePlan(desiredState(spec, pw), obs);
    assert.equal(plan.actions.length, 0);
    assert.equal(plan.noop, 20);
  });

  it('with replication users, the canary database is secured like the undeclared mesh databases', () => {
    const perNode = desiredState(on(withNodeUsers(seed)), pw);
    const sec = perNode.security?.filter((s) => s.db === CANARY) ?? [];
    assert.equal(sec.length, 4);
    assert.deepEqual(sec[0]?.security.members.roles, ['couchmesh-replicator']);
    const links = seed.links;
    const perLink: MeshSpec = on({
      ...seed,
      replication_users: {
        per: 'link',
        users: Object.fromEntries(
          links.map((l: LinkSpec) => [l.key, { username: `r-${l.key}`, password_env: 'R' }]),
        ),
      },
    });
    const n4 = desiredState(perLink, pw).security?.find((s) => s.db === CANARY && s.node === 'n4');
    assert.deepEqual(n4?.security.members.names, ['r-n2--n4', 'r-n3--n4']);
    assert.equal(desiredState(on(seed), pw).security, undefined, 'no users, nothing declared: untouched');
  });
});
