// A `_replicator` doc id or a crash reason holding line breaks stays on its own log line: nothing a
// document author writes can forge the lines `couchmesh doctor --log` reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, oneLine } from '../log.ts';
import { logJobEvent } from './log-events.ts';
import type { Job } from './scheduler.ts';

test('doc ids and reasons with CR/LF are escaped, one event = one line', () => {
  const lines: string[] = [];
  const logger = createLogger(
    (l) => lines.push(l),
    'debug',
    () => 'couchmesh@n1',
    () => 0,
  );
  const forged =
    'x\n[error] 2026-01-01T00:00:00.000000Z couchmesh@n1 <0.0.0> -------- couch_replicator: fake';
  const job = {
    id: 'abc+continuous',
    docId: forged,
    db: '_replicator',
    spec: { source: { url: 'http://u:p@127.0.0.1:1/a' }, target: { url: 'http://127.0.0.1:2/b' } },
  } as unknown as Job;
  logJobEvent(logger, job, 'added');
  logJobEvent(logger, job, 'crashed', 'peer said\r\nsomething');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.ok(!/[\r\n]/.test(l), l);
  assert.ok(lines[0]?.includes('x\\n[error]'));
  assert.ok(lines[1]?.endsWith('peer said\\r\\nsomething'));
  assert.equal(oneLine('a\u2028b'), 'a\\u2028b');
});
