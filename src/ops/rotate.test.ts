import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, Plan } from '../plan/types.ts';
import { rotationPlan } from './rotate.ts';

const user = (change: 'create' | 'password' | 'roles'): Action => ({
  kind: 'set-user',
  node: 'n1',
  name: 'couchmesh-repl-n2',
  mesh: 'm',
  roles: ['couchmesh-replicator'],
  password: 'p',
  change,
});

describe('rotate-credentials: only the rotation of a plan', () => {
  it('keeps new user passwords and credentials-only doc updates, drops everything else', () => {
    const update = (change: 'fields' | 'credentials') =>
      ({ kind: 'update-doc', node: 'n2', id: `d-${change}`, change }) as unknown as Action;
    const plan = {
      actions: [
        { kind: 'create-db', node: 'n1', db: 'x' },
        user('create'),
        user('password'),
        user('roles'),
        update('fields'),
        update('credentials'),
      ],
    } as Plan;
    assert.deepEqual(
      rotationPlan(plan).actions.map((a) => `${a.kind}${'change' in a ? ` ${a.change}` : ''}`),
      ['set-user password', 'update-doc credentials'],
    );
  });
});
