import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sse-parse.ts';

test('events split across chunks, comments counted, retry and id kept, multi-line data joined', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed('retry: 3000\nevent: snap'), []);
  assert.deepEqual(p.feed('shot\nid: 4\ndata: {"a":\ndata: 1}\n\n: heartbeat\n\ndata: x\r\n\r\n'), [
    { event: 'snapshot', data: '{"a":\n1}', id: '4', retry: 3000 },
    { event: 'message', data: 'x', id: '4' },
  ]);
  assert.equal(p.comments, 1);
});

test('a line without data dispatches nothing', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed('event: poll\n\n'), []);
  assert.deepEqual(p.feed('data: y\n\n'), [{ event: 'message', data: 'y' }]);
});
