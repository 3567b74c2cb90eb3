import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { redactor } from '../core/redact.ts';
import { controllerLogger, errorField } from './log.ts';

describe('controller log', () => {
  it('writes JSON lines with no secret in objects or messages', () => {
    const lines: string[] = [];
    const dest = new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = controllerLogger(redactor([{ value: 's3cret', username: 'admin' }]), dest);
    log.info(
      { url: 'http://admin:s3cret@127.0.0.1:5984', err: errorField(new Error('bad s3cret')) },
      'poll of s3cret',
    );
    const o = JSON.parse(lines.join('')) as Record<string, unknown>;
    assert.equal(o.level, 'info');
    assert.doesNotMatch(JSON.stringify(o), /s3cret/);
    assert.match(String(o.msg), /poll of \*\*\*/);
    assert.deepEqual(errorField({ code: 'E_PORT' }), { code: 'E_PORT', message: '[object Object]' });
    assert.equal(errorField(new Error('x')).code, null);
  });
});
