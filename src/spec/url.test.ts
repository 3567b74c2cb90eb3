import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNodeUrl, redactUrl } from './url.ts';

describe('node URLs', () => {
  it('normalizes valid URLs', () => {
    assert.deepEqual(checkNodeUrl('http://127.0.0.1:5984/'), { ok: true, url: 'http://127.0.0.1:5984' });
    assert.deepEqual(checkNodeUrl('https://h/couch//'), { ok: true, url: 'https://h/couch' });
  });

  it('redacts userinfo', () => {
    assert.equal(redactUrl('http://a:b@h:1/x'), 'http://***@h:1/x');
    assert.equal(redactUrl('http://h/x@y'), 'http://h/x@y');
    const r = checkNodeUrl('https://admin:pa%40ss@h');
    assert.equal(r.ok, false);
    assert.doesNotMatch(JSON.stringify(r), /pa%40ss|admin/);
  });

  it('refuses other schemes, queries and garbage', () => {
    for (const bad of ['ftp://h', 'http://h/?a=1', 'http://h/#x', 'nope', ''])
      assert.equal(checkNodeUrl(bad).ok, false, bad);
  });
});
