import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filterReport } from '../../ops/status-filter.ts';
import { meshReport } from '../../ops/status-test-support.ts';
import { paint } from './paint.ts';
import { renderStatus } from './status.ts';
import { clip, renderStatusFit, visibleLength } from './status-fit.ts';

const plain = paint(false);
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colours
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const colour = paint(true, {});
// the seed-sized mesh (4 nodes, 6 links, 12 directions) with one crash loop
const seed = meshReport(4, { 'n2->n3': 'crashing' });
// a mesh too tall for any terminal: 10 nodes, 90 directions
const big = meshReport(10, { 'n7->n9': 'crashing', 'n2->n5': 'pending' });

const fits = (text: string, width: number, height: number) => {
  const lines = text.split('\n');
  assert.ok(lines.length <= height - 1, `${lines.length} lines for a ${height}-line terminal`);
  for (const l of lines) assert.ok(visibleLength(l) <= width, `${visibleLength(l)} > ${width}: ${l}`);
  return lines;
};

describe('status --watch fitted to the terminal', () => {
  test('80x24: today every row wraps; fitted, nothing wraps and the summary is the first line', () => {
    const today = renderStatus(seed, plain).split('\n');
    assert.ok(
      today.some((l) => l.length > 80),
      'the unfitted table is wider than 80 columns',
    );
    const lines = fits(renderStatusFit(seed, colour, { width: 80, height: 24 }), 80, 24);
    assert.match(lines[0] ?? '', /mesh seed: 4\/4 nodes up/);
    const header = lines.map(strip).find((l) => l.startsWith('LINK')) ?? '';
    assert.match(strip(lines[1] ?? ''), /^findings: 1 critical/, 'the summary wraps onto two lines');
    for (const col of ['LINK', 'DIRECTION', 'STATE']) assert.ok(header.includes(col), col);
    assert.ok(!header.includes('CKPT AGE'), 'the lowest-priority column goes first');
    assert.equal(lines.filter((l) => /n\d->n\d/.test(l) && !l.includes('crashing n')).length >= 12, true);
  });

  test('rows that do not fit collapse into "… N more", problem rows kept first, summary visible', () => {
    const lines = fits(renderStatusFit(big, plain, { width: 80, height: 24 }), 80, 24);
    assert.match(lines[0] ?? '', /10\/10 nodes up, 90 directions/);
    const more = lines.find((l) => l.startsWith('… '));
    assert.match(more ?? '', /^… \d+ more \(use --problems\)$/);
    assert.ok(lines.some((l) => l.includes('n7->n9') && l.includes('crashing')));
    assert.ok(lines.some((l) => l.includes('n2->n5') && l.includes('pending')));
    const shown = lines.filter((l) => /^n\d+--n\d+ /.test(l)).length;
    assert.equal(shown + Number(/… (\d+) more/.exec(more ?? '')?.[1]), 90);
    assert.ok(lines.includes('findings:'));
  });

  test('any size from 40x8 to 200x60 fits; a wide terminal shows every column', () => {
    for (const [w, h] of [
      [40, 8],
      [60, 12],
      [100, 30],
      [200, 60],
    ] as const) {
      fits(renderStatusFit(big, colour, { width: w, height: h }), w, h);
      fits(renderStatusFit(filterReport(big, { problems: true }), colour, { width: w, height: h }), w, h);
    }
    const wide = renderStatusFit(seed, plain, { width: 200, height: 60 }).split('\n');
    const wideHeader = wide.find((l) => l.startsWith('LINK')) ?? '';
    assert.ok(wideHeader.includes('CKPT AGE') && wideHeader.includes('REASON'));
    assert.ok(wide.some((l) => l.includes('db_not_found: could not open target database')));
  });

  test('clip counts visible characters and keeps colours balanced', () => {
    assert.equal(clip('abcdef', 4), 'abc…');
    assert.equal(clip('abc', 4), 'abc');
    const red = '\x1b[31mcrashing\x1b[0m';
    assert.equal(visibleLength(clip(red, 5)), 5);
    assert.ok(clip(red, 5).endsWith('\x1b[0m'));
  });
});
