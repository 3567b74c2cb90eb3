import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialsOf, endpointUrl, nodeOfUrl } from './checks-endpoints.ts';

describe('replication endpoints', () => {
  it('endpointUrl: a string or { url }', () => {
    assert.equal(endpointUrl('http://x/db'), 'http://x/db');
    assert.equal(endpointUrl({ url: 'http://y/db', headers: {} }), 'http://y/db');
    assert.equal(endpointUrl({ nope: 1 }), null);
    assert.equal(endpointUrl(null), null);
  });

  it('nodeOfUrl: the longest node URL the endpoint starts with, userinfo ignored', () => {
    const nodes = [
      { name: 'a', url: 'http://h:5984' },
      { name: 'b', url: 'http://h:5984/proxied' },
    ];
    assert.equal(nodeOfUrl(nodes, 'http://h:5984/sensors')?.name, 'a');
    assert.equal(nodeOfUrl(nodes, 'http://u:p@h:5984/proxied/sensors')?.name, 'b');
    assert.equal(nodeOfUrl(nodes, 'http://h:59840/sensors'), undefined);
  });

  it('credentialsOf: auth.basic first, else URL userinfo (percent-decoded)', () => {
    assert.deepEqual(
      credentialsOf({ url: 'http://h/db', auth: { basic: { username: 'r', password: 'p' } } }),
      {
        user: 'r',
        password: 'p',
      },
    );
    assert.deepEqual(credentialsOf('http://bob:p%40ss@h/db'), { user: 'bob', password: 'p@ss' });
    assert.deepEqual(credentialsOf('http://bob:%zz@h/db'), { user: 'bob', password: '%zz' });
    assert.equal(credentialsOf('http://bob@h/db'), null);
    assert.equal(credentialsOf({ url: 'http://h/db' }), null);
  });
});
