import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUCH_DEFAULTS, maskedProxy, parseRepDoc } from './rep-doc.ts';
import { replicationId } from './rep-id.ts';

const base = { source: 'http://127.0.0.1:5984/a', target: 'http://127.0.0.1:5985/a', continuous: true };

describe('rep-doc: proxy fields (couch_replicator_parse:parse_proxy_settings)', () => {
  it('`proxy` applies to both ends; source_proxy / target_proxy to one; "" is no proxy', () => {
    const both = parseRepDoc({ ...base, proxy: 'http://relay:3128' });
    assert.equal(both.source.proxy, 'http://relay:3128');
    assert.equal(both.target.proxy, 'http://relay:3128');
    const one = parseRepDoc({ ...base, target_proxy: 'https://relay:3129', source_proxy: '' });
    assert.equal(one.source.proxy, undefined);
    assert.equal(one.target.proxy, 'https://relay:3129');
  });

  it('refuses `proxy` with source_proxy / target_proxy, and schemes off valid_proxy_protocols, as CouchDB', () => {
    assert.throws(() => parseRepDoc({ ...base, proxy: 'http://p:1', source_proxy: 'http://q:1' }), {
      message: '{throw,{bad_request,<<"`proxy` is mutually exclusive with `source_proxy`">>}}',
    });
    assert.throws(() => parseRepDoc({ ...base, proxy: 'http://p:1', target_proxy: 'http://q:1' }), {
      message: '{throw,{bad_request,<<"`proxy` is mutually exclusive with `target_proxy`">>}}',
    });
    assert.throws(() => parseRepDoc({ ...base, proxy: 'ftp://p:1' }), /Unsupported proxy protocol/);
    assert.throws(() => parseRepDoc({ ...base, proxy: 'not a url' }), /Unsupported proxy protocol/);
    // socks5 is a valid protocol by default (the job then crashes naming it); config can narrow the list
    assert.equal(parseRepDoc({ ...base, proxy: 'socks5://p:1080' }).source.proxy, 'socks5://p:1080');
    const httpOnly = { ...COUCH_DEFAULTS, validProxyProtocols: ['http'] };
    assert.throws(
      () => parseRepDoc({ ...base, proxy: 'https://p:1' }, httpOnly),
      /Unsupported proxy protocol/,
    );
  });

  it('the replication id does not depend on proxies (couch_replicator_ids)', () => {
    const id = (doc: Record<string, unknown>) => replicationId('uuid', parseRepDoc(doc)).id;
    const direct = id(base);
    assert.equal(id({ ...base, target_proxy: 'http://relay:3128' }), direct);
    assert.equal(id({ ...base, proxy: 'http://u:p@relay:3128' }), direct);
  });

  it('masks a proxy password as couch_util:url_strip_password', () => {
    assert.equal(maskedProxy('http://bob:s3cret@relay:3128'), 'http://bob:*****@relay:3128');
    assert.equal(maskedProxy('http://relay:3128'), 'http://relay:3128');
    assert.equal(maskedProxy(undefined), null);
  });
});
