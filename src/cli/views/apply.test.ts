import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyOutcome, NodeOutcome } from '../../ops/apply.ts';
import type { PlanView } from '../../ops/plan-view.ts';
import { incompleteError, renderApplyEvent, renderOutcome } from './apply.ts';

const node = (n: string, status: NodeOutcome['status'], over: Partial<NodeOutcome> = {}): NodeOutcome => ({
  node: n,
  status,
  ok: status === 'applied' || status === 'unchanged',
  applied: status === 'applied' ? 3 : 0,
  failures: [],
  blocked: [],
  requests: status === 'applied' ? { reads: 0, writes: 2 } : { reads: 0, writes: 0 },
  ...over,
});

const outcome = (nodes: NodeOutcome[]): ApplyOutcome => {
  const failed = nodes.filter((n) => !n.ok).map((n) => n.node);
  return {
    plan: { changes: true } as PlanView,
    approved: true,
    nodes,
    applied: nodes.reduce((s, n) => s + n.applied, 0),
    ok: failed.length === 0,
    partial: failed.length > 0 && nodes.some((n) => n.ok),
    failed,
  };
};

describe('apply view', () => {
  it('all nodes done', () => {
    const o = outcome([node('n1', 'applied'), node('n2', 'unchanged')]);
    assert.equal(
      renderOutcome(o),
      '\n  n1: applied 3 changes (2 requests, 2 writing)\n  n2: nothing to do\n\nApply complete: 3 changes on 1 node.',
    );
  });

  it('partial: says which nodes failed and why; the error is E_APPLY_PARTIAL with a hint', () => {
    const o = outcome([
      node('n1', 'applied'),
      node('n2', 'failed', {
        applied: 1,
        failures: [{ id: 'couchmesh.s.d.a--b', error: 'conflict', reason: 'Document update conflict.' }],
      }),
      node('n3', 'unreachable', { error: { code: 'E_COUCH_UNREACHABLE', message: 'ECONNREFUSED' } }),
    ]);
    const text = renderOutcome(o);
    assert.match(
      text,
      /n2: FAILED after 1 change — couchmesh\.s\.d\.a--b: conflict Document update conflict\./,
    );
    assert.match(text, /n3: UNREACHABLE, nothing written — E_COUCH_UNREACHABLE: ECONNREFUSED/);
    assert.match(text, /Apply incomplete: 1 of 3 nodes done; not done: n2, n3\./);
    const e = incompleteError(o, 'apply');
    assert.equal(e.code, 'E_APPLY_PARTIAL');
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, 'apply partially done: n2 failed (conflict), n3 unreachable');
    assert.match(e.hint ?? '', /the other nodes are done/);
  });

  it('nothing done at all is E_APPLY_FAILED; a cancelled review writes nothing', () => {
    const o = outcome([node('n1', 'unreachable', { error: { code: 'E', message: 'm' } })]);
    assert.equal(incompleteError(o, 'destroy').code, 'E_APPLY_FAILED');
    assert.equal(
      renderOutcome({ ...o, approved: false }, 'Destroy'),
      'Destroy cancelled: nothing was written.',
    );
  });
});

describe('blocked documents, by cause', () => {
  it('a foreign id is BLOCKED; a create waiting for an unseen node is WITHHELD, naming it', () => {
    const o = outcome([
      node('n2', 'blocked', {
        applied: 2,
        blocked: [
          { id: 'couchmesh.s.d.n1--n2', message: 'not ours' },
          { id: 'couchmesh.s.d.n4--n2', message: 'not created', waits_for: 'n4' },
        ],
      }),
    ]);
    assert.match(
      renderOutcome(o),
      /n2: applied 2 changes; BLOCKED couchmesh\.s\.d\.n1--n2 \(a foreign document holds the id\); WITHHELD couchmesh\.s\.d\.n4--n2 \(n4 is unreachable and may still run them\)/,
    );
  });
});

describe('refused credentials', () => {
  it('the refusing node says so with the fix; docs carrying its credentials are WITHHELD; exit error names it', () => {
    const hint = "check the password of 'admin' in file /run/n1.pw, then apply again";
    const o = outcome([
      node('n1', 'refused', { error: { code: 'E_COUCH_AUTH', message: '401 unauthorized' }, hint }),
      node('n2', 'blocked', {
        applied: 2,
        blocked: [
          { id: 'couchmesh.s.d.n1--n2', message: 'not written', waits_for: 'n1', withheld: 'refused' },
        ],
      }),
      node('n3', 'applied'),
    ]);
    const text = renderOutcome(o);
    assert.match(
      text,
      /\n {2}n1: CREDENTIALS REFUSED, nothing written — E_COUCH_AUTH: 401 unauthorized\n {4}hint: check the password of 'admin' in file \/run\/n1\.pw, then apply again\n/,
    );
    assert.match(
      text,
      /n2: applied 2 changes; WITHHELD couchmesh\.s\.d\.n1--n2 \(they carry n1's credentials, which n1 refused\)/,
    );
    const e = incompleteError(o, 'apply');
    assert.equal(e.code, 'E_APPLY_PARTIAL');
    assert.equal(
      e.message,
      "apply partially done: n1 refused couchmesh's credentials, n2 has 1 blocked document",
    );
    assert.match(e.hint ?? '', /fix the listed nodes \(the credentials of n1: each refusal's hint names/);
  });
});

describe('apply progress', () => {
  it('names the node a moved direction waits for', () => {
    assert.equal(
      renderApplyEvent({ type: 'waiting-for-stop', node: 'n2', id: 'couchmesh.m.db.n1--n2', to: 'n1' }),
      '  couchmesh.m.db.n1--n2: waiting for n2 to stop the old job before creating it on n1…',
    );
  });
});
