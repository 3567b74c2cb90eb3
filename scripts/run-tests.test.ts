// The test runner's output contract: one line per file, every failure in full, a totals line, and
// an exit code that is non-zero on a failing test and on a file that crashes outside any test.
// Runs scripts/run-tests.mjs on the fixtures in scripts/fixtures/reporter (named *.fixture.ts so the
// default walk never runs them).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const FIXTURES = 'scripts/fixtures/reporter';

// The files run side by side: node then holds back the events of all but one of them, which is the case
// the reporter must get right (a file's end may be reported before its tests).
function runner(...args: string[]): { status: number | null; lines: string[]; text: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_CONCURRENCY: '3' };
  delete env.TEST_REPORTER;
  const res = spawnSync(process.execPath, ['scripts/run-tests.mjs', '--suffix=.fixture.ts', ...args], {
    encoding: 'utf8',
    env,
  });
  return { status: res.status, lines: res.stdout.split('\n'), text: res.stdout };
}

test('a failing test and a crashing file: one line per file, the failures in full, exit code 1', () => {
  const { status, lines, text } = runner(FIXTURES);
  assert.equal(status, 1);
  const fileLines = lines.filter((l) => /^(ok|FAIL) {2}/.test(l));
  assert.deepEqual(
    fileLines.map((l) => l.replace(/ {2}\d+\.\ds$/, '')).sort((a, b) => a.slice(6).localeCompare(b.slice(6))),
    [
      `FAIL  ${FIXTURES}/crash.fixture.ts  1 test, 1 failed`,
      `FAIL  ${FIXTURES}/fail.fixture.ts  3 tests, 1 failed, 1 skipped`,
      `ok    ${FIXTURES}/pass.fixture.ts  1 test`,
    ],
  );
  // The failing test: its name path, message, expected/actual, a stack frame in the fixture, its output.
  const failure = text.slice(text.indexOf(`=== FAIL ${FIXTURES}/fail.fixture.ts`));
  assert.match(failure, /--- fixture suite > fails on purpose\n/);
  assert.match(failure, /Expected values to be strictly deep-equal/);
  assert.match(failure, /expected: \{ answer: 42 \}\n\s+actual: {3}\{ answer: 41 \}/);
  assert.match(failure, /at .*fail\.fixture\.ts:\d+:\d+/);
  assert.match(failure, /stdout of the failing file/);
  assert.match(failure, /stderr of the failing file/);
  // The crash outside any test is a failure too, with what the process printed.
  const crash = text.slice(text.indexOf(`=== FAIL ${FIXTURES}/crash.fixture.ts`));
  assert.match(crash, /--- \(the file itself, outside any test\)/);
  assert.match(crash, /Error: crashed outside any test/);
  assert.doesNotMatch(text, /node counted/, 'our counts are node’s own');
  const totals = lines.filter((l) => l.startsWith('FAILED: '));
  assert.equal(totals.length, 1);
  assert.match(
    totals[0]!,
    /^FAILED: files 3 \(2 failed\) {2}tests 5 {2}pass 2 {2}fail 2 {2}cancelled 0 {2}skipped 1 {2}todo 0 {2}duration \d+\.\ds$/,
  );
});

test('a green run: one line per file and the totals line, nothing else, exit code 0', () => {
  const { status, lines } = runner(`${FIXTURES}/pass.fixture.ts`);
  assert.equal(status, 0);
  const printed = lines.filter((l) => l !== '').map((l) => l.replace(/\d+\.\ds/g, 'T'));
  assert.deepEqual(printed, [
    `ok    ${FIXTURES}/pass.fixture.ts  1 test  T`,
    'passed: files 1 (0 failed)  tests 1  pass 1  fail 0  cancelled 0  skipped 0  todo 0  duration T',
  ]);
});

test('--verbose gives node TAP output and keeps the exit code', () => {
  const { status, text } = runner('--verbose', FIXTURES);
  assert.equal(status, 1);
  assert.match(text, /^TAP version 13/m);
  assert.match(text, /^\s*not ok \d+ - fails on purpose/m);
});
