import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.ts';
import { captureOutput } from './testing.ts';

const capture = captureOutput;

test('--help exits 0 and lists the commands', async () => {
  const o = capture();
  assert.equal(await main(['--help'], o), 0);
  assert.match(o.stdout, /Commands:/);
  assert.match(o.stdout, /\bdemo\b/);
  assert.match(o.stdout, /\bnode\b/);
});

test('--version prints the package version', async () => {
  const o = capture();
  assert.equal(await main(['--version'], o), 0);
  assert.match(o.stdout, /^\d+\.\d+\.\d+/);
});

test('an unknown command exits non-zero with one message line and a hint, no stack', async () => {
  const o = capture();
  const code = await main(['frobnicate'], o);
  assert.notEqual(code, 0);
  assert.match(o.stderr, /unknown command 'frobnicate'/);
  assert.match(o.stderr, /hint: run 'couchmesh --help'/);
  assert.doesNotMatch(o.stderr, /\n\s+at /);
});

test('a user mistake gets message + hint and exit 1, not a stack trace', async () => {
  const o = capture();
  assert.equal(await main(['node'], o), 1);
  assert.match(o.stderr, /needs a place to keep its data/);
  assert.match(o.stderr, /hint: pass --data DIR/);
  assert.doesNotMatch(o.stderr, /\n\s+at /);
});

test('demo --exit runs the example mesh on embedded nodes end to end and exits 0', async () => {
  const o = capture();
  const before = process.env.COUCHMESH_PASSWORD;
  try {
    assert.equal(await main(['demo', '--exit'], o), 0);
  } finally {
    if (before === undefined)
      delete process.env.COUCHMESH_PASSWORD; // the demo publishes its password
    else process.env.COUCHMESH_PASSWORD = before;
  }
  assert.match(o.stdout, /n1 up at http:\/\/127\.0\.0\.1:\d+/);
  // 4 x (sensors + couchmesh_canary) databases, 10 directions x (sensors + the canary's doc_ids doc)
  assert.match(o.stdout, /Apply complete: 28 changes on 4 nodes\./);
  assert.match(o.stdout, /Converged: every reading is on all 4 nodes/);
});
