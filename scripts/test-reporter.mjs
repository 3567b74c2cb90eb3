// A compact reporter for node:test (the reporters API: an async generator over the runner's events).
// While the run goes: a line for every failing file at once, and a progress line every PROGRESS_EVERY
// files. At the end: one line per folder (files, tests, time, slowest file), the full story of every
// failure (name path, message, expected/actual, stack, and the file's captured stdout/stderr), then one
// totals line. A green run of the whole tree (~200 files) stays near 60 lines; the default TAP reporter
// prints ~7,000. Runs of up to 40 files (scripts/run-tests.mjs says how many) and `TEST_REPORTER=files`
// print a line per file instead of the progress lines.
//
// Node 20 runs each file in its own process and reports the file itself as a test at nesting 0 whose
// name is the file path (its test:pass/fail only when the file reported no test, e.g. it crashed on
// import: we use its test:complete). Only one file reports live at a time: the events of a file that
// runs beside it are held back and replayed once the live one is done, but its test:complete is not
// held back, so it may come before the file's own events. A file's line is therefore printed when its
// test:complete has come and its events have stopped: another file's events start, or the run ends.
import { relative, resolve } from 'node:path';
import { inspect } from 'node:util';

const newFile = () => ({
  names: [],
  tests: 0,
  pass: 0,
  fail: 0,
  cancelled: 0,
  skipped: 0,
  todo: 0,
  hooks: 0,
  failures: [],
  output: [],
});

// As node counts them: a test that timed out is cancelled, not failed.
const CANCELLED = new Set(['cancelledByParent', 'testTimeoutFailure']);
const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/;
const COUNTS = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const seconds = (ms) => `${((ms ?? 0) / 1000).toFixed(1)}s`;
const show = (v) => (typeof v === 'string' ? v : inspect(v, { depth: 6, breakLength: 100 }));
const indent = (text, pad = '    ') =>
  String(text)
    .split('\n')
    .map((l) => pad + l)
    .join('\n');

/** The error a test threw: node wraps it in ERR_TEST_FAILURE with the original as `cause`. */
function describeError(error) {
  if (!error) return ['(no error reported)'];
  const inner = error.code === 'ERR_TEST_FAILURE' && error.cause ? error.cause : error;
  const lines = [];
  if (error.failureType && error.failureType !== 'testCodeFailure') lines.push(`(${error.failureType})`);
  const message = inner instanceof Error ? inner.message : show(inner);
  lines.push(message);
  if (inner && typeof inner === 'object' && ('expected' in inner || 'actual' in inner)) {
    lines.push(`expected: ${show(inner.expected)}`, `actual:   ${show(inner.actual)}`);
  }
  // The stack's head repeats the (possibly multi-line) message: keep the frames only.
  const frames = String(inner?.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l));
  if (frames.length) lines.push(frames.join('\n'));
  return lines;
}

function fileLine(path, f, ms, ok) {
  const counts = [`${f.tests} test${f.tests === 1 ? '' : 's'}`];
  if (f.fail) counts.push(`${f.fail} failed`);
  if (f.cancelled) counts.push(`${f.cancelled} cancelled`);
  if (f.hooks) counts.push(`${f.hooks} hook${f.hooks === 1 ? '' : 's'} failed`);
  if (f.skipped) counts.push(`${f.skipped} skipped`);
  if (f.todo) counts.push(`${f.todo} todo`);
  return `${ok ? 'ok  ' : 'FAIL'}  ${path}  ${counts.join(', ')}  ${seconds(ms)}\n`;
}

function failureReport(path, f) {
  const out = [`\n=== FAIL ${path}\n`];
  for (const x of f.failures) {
    out.push(`--- ${x.name}\n${indent(describeError(x.error).join('\n'))}\n`);
  }
  if (f.output.length) out.push(`--- output of ${path}\n${indent(f.output.join('').trimEnd())}\n`);
  return out.join('');
}

const PROGRESS_EVERY = 20;
const PER_FILE =
  process.env.TEST_REPORTER === 'files' || Number(process.env.COUCHMESH_TEST_FILE_COUNT ?? 0) <= 40;
const folderOf = (path) => path.slice(0, Math.max(0, path.lastIndexOf('/'))) || '.';

/** One line per folder: how many files and tests, failures, summed time and the slowest file. */
function folderLines(folders) {
  const rows = [...folders.entries()].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...rows.map(([d]) => d.length));
  return rows.map(([dir, d]) => {
    const bad = d.failedFiles ? `  ${d.failedFiles} FAILED` : '';
    const slow = d.slowest ? `  slowest ${d.slowest.name} ${seconds(d.slowest.ms)}` : '';
    return `${d.failedFiles ? 'FAIL' : 'ok  '}  ${dir.padEnd(width)}  ${String(d.files).padStart(3)} files  ${String(d.tests).padStart(4)} tests  ${seconds(d.ms).padStart(6)}${bad}${slow}\n`;
  });
}

export default async function* compactReporter(source) {
  const files = new Map();
  const failed = [];
  const totals = { files: 0, failedFiles: 0, tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
  const started = process.hrtime.bigint();
  // The file whose events came last: a file's line waits until its events stop (see the header).
  let current;
  const notes = [];
  const nodeCounts = {};
  const folders = new Map();
  const fileOf = (key) => {
    if (!files.has(key)) files.set(key, newFile());
    return files.get(key);
  };
  const finish = (key) => {
    const f = files.get(key);
    files.delete(key);
    const done = f.done ?? { ok: false, error: new Error('the runner reported no end for this file') };
    // The file's own verdict: it fails when a test failed, and also when the file crashed outside
    // any test (an import error, an unhandled rejection after the tests): that case has no failure yet.
    // Node counts such a file as one failed test when it reported no test of its own.
    if (!done.ok && f.failures.length === 0) {
      f.failures.push({ name: '(the file itself, outside any test)', error: done.error });
      if (f.tests === 0) {
        f.tests++;
        f.fail++;
      }
    }
    const path = relative(process.cwd(), key) || key;
    totals.files++;
    for (const k of COUNTS) totals[k] += f[k];
    if (!done.ok) {
      totals.failedFiles++;
      failed.push([path, f]);
    }
    const dir = folderOf(path);
    const d = folders.get(dir) ?? { files: 0, tests: 0, failedFiles: 0, ms: 0, slowest: null };
    folders.set(dir, d);
    d.files++;
    d.tests += f.tests;
    d.ms += done.ms ?? 0;
    if (!done.ok) d.failedFiles++;
    if (!d.slowest || (done.ms ?? 0) > d.slowest.ms)
      d.slowest = { name: path.slice(dir.length + 1), ms: done.ms ?? 0 };
    if (PER_FILE || !done.ok) return fileLine(path, f, done.ms, done.ok);
    if (totals.files % PROGRESS_EVERY !== 0) return '';
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return `..  ${totals.files} files, ${totals.tests} tests, ${totals.failedFiles} failed files so far  ${seconds(ms)}\n`;
  };

  for await (const { type, data } of source) {
    // The file's own events name it as given on the command line, its tests' events by absolute path.
    const key = data?.file ? resolve(data.file) : undefined;
    const isFile = key !== undefined && data.nesting === 0 && data.name === data.file;
    if (isFile && type !== 'test:complete') continue; // the file's start/pass/fail: nothing new
    if (isFile) {
      fileOf(key).done = {
        ok: data.details?.passed === true,
        ms: data.details?.duration_ms,
        error: data.details?.error,
      };
      if (key === current) {
        current = undefined;
        yield finish(key);
      }
      continue;
    }
    if (key === undefined) {
      // The runner's closing counts (we keep our own) and its warnings, e.g. a rejection after a test
      // ended ("asynchronous activity after the test ended"): those are printed at the end.
      if (type !== 'test:diagnostic') continue;
      const summary = SUMMARY.exec(data.message);
      if (summary) nodeCounts[summary[1]] = Number(summary[2]);
      else
        notes.push(
          `${data.message}${current ? ` (while reporting ${relative(process.cwd(), current)})` : ''}`,
        );
      continue;
    }
    if (key !== current) {
      if (current !== undefined && files.get(current)?.done) yield finish(current);
      current = key;
    }
    const f = fileOf(key);
    if (type === 'test:stdout' || type === 'test:stderr') {
      f.output.push(data.message);
      continue;
    }
    if (type === 'test:diagnostic') {
      f.output.push(`# ${data.message}\n`); // a test's own t.diagnostic()
      continue;
    }
    if (type === 'test:start') {
      f.names.splice(data.nesting, Infinity, data.name);
      continue;
    }
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const name = [...f.names.slice(0, data.nesting), data.name].join(' > ');
    const error = data.details?.error;
    if (data.details?.type === 'suite') {
      // A suite fails through its tests (reported on their own) or through a hook (before/after), which
      // node counts as no test: the file fails, with the hook's error in the report.
      if (type === 'test:fail' && error?.failureType !== 'subtestsFailed') {
        f.hooks++;
        f.failures.push({ name, error });
      }
      continue;
    }
    f.tests++;
    if (data.skip) f.skipped++;
    else if (data.todo) f.todo++;
    else if (type === 'test:pass') f.pass++;
    else if (CANCELLED.has(error?.failureType)) {
      f.cancelled++;
      f.failures.push({ name, error });
    } else {
      f.fail++;
      // A test failing through its subtests says nothing they do not say themselves.
      if (error?.failureType !== 'subtestsFailed') f.failures.push({ name, error });
    }
  }
  for (const key of [...files.keys()]) yield finish(key);
  if (!PER_FILE && folders.size) yield `\n${folderLines(folders).join('')}`;

  for (const [path, f] of failed) yield failureReport(path, f);
  // Node's own closing counts, as a check on ours.
  const differ = COUNTS.filter((k) => k in nodeCounts && nodeCounts[k] !== totals[k]);
  if (differ.length) notes.push(`node counted ${differ.map((k) => `${k} ${nodeCounts[k]}`).join(', ')}`);
  if (notes.length) yield `\n=== runner diagnostics\n${notes.map((n) => indent(n)).join('\n')}\n`;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const t = totals;
  yield `\n${t.failedFiles || t.fail || t.cancelled ? 'FAILED' : 'passed'}: files ${t.files} (${t.failedFiles} failed)  tests ${t.tests}  pass ${t.pass}  fail ${t.fail}  cancelled ${t.cancelled}  skipped ${t.skipped}  todo ${t.todo}  duration ${seconds(ms)}\n`;
}
