import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODES } from './codes.ts';
import { CouchmeshError, isCouchmeshError, userError } from './errors.ts';

test('userError carries a stable code, a hint and data, and serialises without the stack', () => {
  const e = userError('E_USAGE', 'bad thing', 'do this instead', { node: 'n1' });
  assert.ok(isCouchmeshError(e));
  assert.equal(e.kind, 'user');
  assert.equal(e.exitCode, 1);
  assert.deepEqual(e.toJSON(), {
    code: 'E_USAGE',
    message: 'bad thing',
    hint: 'do this instead',
    data: { node: 'n1' },
  });
});

test('CouchmeshError keeps its cause', () => {
  const cause = new Error('root');
  const e = new CouchmeshError('E_USAGE', 'wrapped', { cause, kind: 'bug' });
  assert.equal(e.cause, cause);
  assert.equal(e.kind, 'bug');
  assert.equal(isCouchmeshError(new Error('plain')), false);
});

test('the registry gives an error its default hint, kind and exit code; the thrower may override them', () => {
  const port = userError('E_PORT', 'port must be 0..65535, got -1');
  assert.equal(port.hint, CODES.E_PORT.hint);
  assert.equal(userError('E_PORT', 'x', 'use 8080').hint, 'use 8080');
  assert.equal(userError('E_USAGE', 'x').hint, undefined, 'no default hint: none is made up');
  const closed = new CouchmeshError('E_COUCH_CLOSED', 'client closed');
  assert.equal(closed.kind, 'bug');
  assert.equal(closed.exitCode, 70);
  assert.equal(new CouchmeshError('E_COUCH_TIMEOUT', 'slow').exitCode, 1);
  assert.equal(new CouchmeshError('E_COUCH_TIMEOUT', 'slow', { exitCode: 3 }).exitCode, 3);
});

test('an unregistered code does not compile', () => {
  // @ts-expect-error: 'E_NOT_A_CODE' is not in the registry (tsc fails if this line compiles)
  const e = new CouchmeshError('E_NOT_A_CODE', 'typo');
  assert.equal(e.kind, 'bug', 'at run time an unknown code is treated as a bug');
});
