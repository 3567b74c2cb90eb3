import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CouchmeshError, isCouchmeshError, userError } from './errors.ts';

test('userError carries a stable code, a hint and data, and serialises without the stack', () => {
  const e = userError('E_X', 'bad thing', 'do this instead', { node: 'n1' });
  assert.ok(isCouchmeshError(e));
  assert.equal(e.kind, 'user');
  assert.equal(e.exitCode, 1);
  assert.deepEqual(e.toJSON(), {
    code: 'E_X',
    message: 'bad thing',
    hint: 'do this instead',
    data: { node: 'n1' },
  });
});

test('CouchmeshError keeps its cause', () => {
  const cause = new Error('root');
  const e = new CouchmeshError('E_Y', 'wrapped', { cause, kind: 'bug' });
  assert.equal(e.cause, cause);
  assert.equal(e.kind, 'bug');
  assert.equal(isCouchmeshError(new Error('plain')), false);
});
