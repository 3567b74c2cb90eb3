import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CODES, EXIT } from '../core/codes.ts';
import { CouchmeshError, userError } from '../core/errors.ts';
import { optionError } from '../couch/errors.ts';
import { EXIT_BUG, reportError } from './boundary.ts';
import { captureOutput } from './testing.ts';

test('a user error: one message line, the hint (the registry default when the thrower gave none), exit 1', () => {
  const o = captureOutput();
  assert.equal(
    reportError(userError('E_PORT', '--port must be 0..65535, got 70000'), o, false),
    EXIT.failure,
  );
  assert.equal(o.stderr, `couchmesh: --port must be 0..65535, got 70000\n  hint: ${CODES.E_PORT.hint}\n`);
});

test('--json: the error as {error: {code, message, hint, data}} on stderr', () => {
  const o = captureOutput();
  const e = userError('E_PLAN_STALE', 'stale', 'plan again', { plan: 'p.json' });
  assert.equal(reportError(e, o, true), 1);
  assert.deepEqual(JSON.parse(o.stderr), {
    error: { code: 'E_PLAN_STALE', message: 'stale', hint: 'plan again', data: { plan: 'p.json' } },
  });
});

test('a code the registry marks as a bug, or any other exception: the stack, exit 70', () => {
  for (const e of [optionError('retries must be >= 0'), new TypeError('x is undefined')]) {
    const o = captureOutput();
    assert.equal(reportError(e, o, false), EXIT_BUG);
    assert.match(o.stderr, /^couchmesh: internal error \(a bug, please report it\): /);
    assert.match(o.stderr, /\n {4}at /, 'with its stack');
  }
  assert.equal(EXIT_BUG, EXIT.bug);
  assert.equal(new CouchmeshError('E_COUCH_CLOSED', 'closed').kind, 'bug');
});
