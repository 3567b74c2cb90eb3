import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import { dbPath, docPath, encodeQuery, parseNodeUrl } from './url.ts';

describe('node URLs, paths and queries', () => {
  it('splits a base URL into origin and path prefix, dropping trailing slashes', () => {
    assert.deepEqual(parseNodeUrl('http://127.0.0.1:5984/'), {
      origin: 'http://127.0.0.1:5984',
      prefix: '',
      base: 'http://127.0.0.1:5984',
    });
    assert.deepEqual(parseNodeUrl('https://example.org/couch/'), {
      origin: 'https://example.org',
      prefix: '/couch',
      base: 'https://example.org/couch',
    });
  });

  it('rejects URLs with userinfo with a hint, without echoing the password', () => {
    const e = (() => {
      try {
        new CouchClient({ url: 'http://admin:hunter2@127.0.0.1:5984' });
      } catch (x) {
        return x;
      }
    })();
    assert.ok(e instanceof CouchError);
    assert.equal(e.code, CouchErrorCode.URL_CREDENTIALS);
    assert.match(e.hint ?? '', /auth: \{ username, password \}/);
    assert.doesNotMatch(`${e.message} ${JSON.stringify(e)} ${e.stack}`, /hunter2|admin:/);
    assert.match(e.message, /http:\/\/\*\*\*@127\.0\.0\.1:5984/);
  });

  it('validates options once at construction', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ url: 'ftp://x' }, /http or https/],
      [{ url: 'not a url' }, /invalid node URL/],
      [{ url: 'http://x/?a=1' }, /query/],
      [{ url: 'http://x', timeoutMs: 0 }, /timeoutMs/],
      [{ url: 'http://x', retries: -1 }, /retries/],
      [{ url: 'http://x', connections: 1.5 }, /connections/],
      [{ url: 'http://x', auth: { username: 'a' } }, /auth must be/],
      [{ url: 'http://x', auth: { username: 'a:b', password: 'p' } }, /must not contain ":"/],
      [{ url: 'http://x', proxy: 'socks://p' }, /proxy/],
      [{ url: 'http://x', tls: { rejectUnauthorized: false } }, /plain http/],
      [{ url: 'http://x', onRetry: 5 }, /onRetry/],
    ];
    for (const [o, re] of bad)
      assert.throws(
        () => new CouchClient(o as never),
        (e: unknown) => e instanceof CouchError && e.code === CouchErrorCode.OPTION && re.test(e.message),
        JSON.stringify(o),
      );
  });

  it('encodes doc paths: slashes in ids, _design/_local prefixes, attachments', () => {
    assert.equal(dbPath('a/b'), '/a%2Fb');
    assert.equal(docPath('db', 'x/y'), '/db/x%2Fy');
    assert.equal(docPath('db', '_design/my ddoc'), '/db/_design/my%20ddoc');
    assert.equal(docPath('db', '_local/cp'), '/db/_local/cp');
    assert.equal(docPath('db', 'doc', 'dir/file.txt'), '/db/doc/dir/file.txt');
    assert.equal(docPath('db', 'é'), '/db/%C3%A9');
  });

  it('encodes queries: JSON params quoted, objects as JSON, undefined skipped', () => {
    assert.equal(encodeQuery(undefined), '');
    assert.equal(encodeQuery({ a: undefined }), '');
    assert.equal(
      encodeQuery({ key: 'a', startkey: ['x', 1], limit: 2, include_docs: true, since: 'now' }),
      '?key=%22a%22&startkey=%5B%22x%22%2C1%5D&limit=2&include_docs=true&since=now',
    );
    assert.equal(encodeQuery({ open_revs: 'all' }), '?open_revs=all');
    assert.equal(encodeQuery({ open_revs: ['1-a'] }), '?open_revs=%5B%221-a%22%5D');
  });
});
