import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BenchSpec } from './all-benches.ts';
import { runBench } from './all-run.ts';
import { renderTable, totals } from './all-table.ts';

// tiny stand-in bench programs, written by the test into a temp folder (not the project's benches:
// those take minutes)
const dir = mkdtempSync(join(tmpdir(), 'couchmesh-all-run-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const program = (name: string, code: string): BenchSpec => {
  const script = join(dir, `${name}.mjs`);
  writeFileSync(script, code);
  return { name, what: name, script, quick: ['--x=1'], full: [], timeoutMin: { quick: 0.05, full: 1 } };
};

test('a bench that prints its --json line: its figures, its output in the log', async () => {
  const spec = program(
    'good',
    `if (!process.argv.includes('--json') || !process.argv.includes('--x=1')) process.exit(3);
console.log('human output');
console.log(JSON.stringify({ bench: 'good', figures: [{ figure: 'f', ours: 2, unit: 'u', baseline: 4, ratio: 0.5, goal: '>= 1x', met: false }] }));`,
  );
  const o = await runBench(spec, 'quick', dir);
  assert.equal(o.status, 'ok');
  assert.equal(o.figures[0]?.ours, 2);
  assert.match(readFileSync(o.log, 'utf8'), /human output/);
});

test('a crash, a run with no figures and a hang are failed rows with their reason', async () => {
  const crash = await runBench(program('crash', `throw new TypeError('boom here');`), 'quick', dir);
  assert.equal(crash.status, 'failed');
  assert.match(crash.reason ?? '', /exit 1: TypeError: boom here/);
  const silent = await runBench(program('silent', `console.log('no figures');`), 'quick', dir);
  assert.match(silent.reason ?? '', /no --json figures line/);
  const hang = await runBench(program('hang', 'setInterval(() => {}, 1000);'), 'quick', dir);
  assert.match(hang.reason ?? '', /timed out after 0.05 min/);

  const table = renderTable([crash, silent, hang]);
  assert.equal(table.split('\n').filter((l) => l.includes('FAILED')).length, 3);
  assert.deepEqual(totals([crash, silent, hang]).failed, ['crash', 'silent', 'hang']);
});
