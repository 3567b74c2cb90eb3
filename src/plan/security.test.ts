import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeshSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import { makePlan, summarize } from './plan.ts';
import { canonicalSecurity, securedDbsOf, securityDiff } from './security.ts';
import { afterApply, pw, seed } from './test-support.ts';
import type { ObservedNode } from './types.ts';

const readers = { admins: { names: [], roles: [] }, members: { names: [], roles: ['readers'] } };
const secured: MeshSpec = { ...seed, databases: [{ name: 'sensors', security: readers }] };

/** After apply, with each node's `_security` of sensors as given (undefined = database missing). */
function observedWith(sec: (node: string) => Record<string, unknown> | undefined): ObservedNode[] {
  return afterApply(secured).map((o): ObservedNode => {
    const s = sec(o.node);
    return s === undefined
      ? { ...o, databases: ['_replicator'], security: {} }
      : { ...o, security: { sensors: s } };
  });
}

describe('_security as code: canonical compare', () => {
  it('is order- and duplicate-insensitive, and {} is both groups empty', () => {
    const a = { members: { roles: ['b', 'a', 'a'] } };
    assert.deepEqual(canonicalSecurity(a), {
      admins: { names: [], roles: [] },
      members: { names: [], roles: ['a', 'b'] },
    });
    assert.deepEqual(securityDiff(a, canonicalSecurity({ members: { roles: ['a', 'b'] } })), []);
    assert.deepEqual(securityDiff({}, canonicalSecurity(readers)), [
      { path: 'members.roles', from: [], to: ['readers'] },
    ]);
  });

  it('observes only the databases that declare security, on the nodes carrying them', () => {
    assert.deepEqual(securedDbsOf(secured, 'n1'), ['sensors']);
    assert.deepEqual(securedDbsOf(seed, 'n1'), []);
  });
});

describe('_security as code: plan', () => {
  it('sets the declared object where it differs (CouchDB default {}: a change, not drift)', () => {
    const p = makePlan(
      desiredState(secured, pw),
      observedWith(() => ({})),
    );
    const sets = p.actions.filter((a) => a.kind === 'set-security');
    assert.deepEqual(
      sets.map((a) => a.node),
      ['n1', 'n2', 'n3', 'n4'],
    );
    assert.deepEqual(sets[0], {
      kind: 'set-security',
      node: 'n1',
      db: 'sensors',
      security: readers,
      diff: [{ path: 'members.roles', from: [], to: ['readers'] }],
      drift: false,
    });
    assert.equal(p.drift.length, 0);
    assert.equal(summarize(p).security, 4);
  });

  it('is a no-op when the node holds the declared object (in any order)', () => {
    const p = makePlan(
      desiredState(secured, pw),
      observedWith(() => ({ members: { roles: ['readers'], names: [] }, admins: {} })),
    );
    assert.deepEqual(p.actions, []);
  });

  it("CouchDB 3's admin_only default of a new database is not drift", () => {
    const adminOnly = { members: { roles: ['_admin'] }, admins: { roles: ['_admin'] } };
    const p = makePlan(
      desiredState(secured, pw),
      observedWith(() => adminOnly),
    );
    assert.equal(p.actions.filter((a) => a.kind === 'set-security').length, 4);
    assert.equal(p.drift.length, 0);
  });

  it('a hand-edited object is drift, shown and put back', () => {
    const p = makePlan(
      desiredState(secured, pw),
      observedWith((n) => (n === 'n2' ? { members: { roles: ['everyone'] } } : readers)),
    );
    assert.deepEqual(p.actions, [
      {
        kind: 'set-security',
        node: 'n2',
        db: 'sensors',
        security: readers,
        diff: [{ path: 'members.roles', from: ['everyone'], to: ['readers'] }],
        drift: true,
      },
    ]);
    assert.deepEqual(p.drift, [
      {
        node: 'n2',
        id: 'sensors/_security',
        fields: ['members'],
        diff: [{ path: 'members.roles', from: ['everyone'], to: ['readers'] }],
      },
    ]);
  });

  it('a database created by the same apply gets its object right after its creation', () => {
    const p = makePlan(
      desiredState(secured, pw),
      observedWith((n) => (n === 'n3' ? undefined : readers)),
    );
    assert.deepEqual(
      p.actions.map((a) => `${a.kind} ${a.node}`),
      ['create-db n3', 'set-security n3'],
    );
  });

  it('never touches an undeclared _security, nor on destroy or unseen nodes', () => {
    const plain = makePlan(
      desiredState(seed, pw),
      observedWith(() => ({ members: { roles: ['x'] } })),
    );
    assert.equal(plain.actions.filter((a) => a.kind === 'set-security').length, 0);
    const destroy = makePlan(
      desiredState(secured, pw),
      observedWith(() => ({})),
      { destroy: true },
    );
    assert.equal(destroy.actions.filter((a) => a.kind === 'set-security').length, 0);
    const down = observedWith(() => ({})).map((o) =>
      o.node === 'n4' ? { ...o, reachable: false, databases: [], replicator: [], security: {} } : o,
    );
    const p = makePlan(desiredState(secured, pw), down);
    assert.ok(!p.actions.some((a) => a.kind === 'set-security' && a.node === 'n4'));
  });
});
