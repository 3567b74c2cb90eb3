import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_LINK_CLASSES, COUCHDB_DEFAULTS } from '../spec/link-classes.ts';
import { linkProfile, PROFILES } from './link-profile.ts';

describe('rehearse link profiles', () => {
  it('a built-in class (overridden or not) keeps its own profile', () => {
    for (const name of Object.keys(BUILTIN_LINK_CLASSES))
      assert.equal(linkProfile(name, COUCHDB_DEFAULTS).like, name);
  });

  it('a user-defined class is mapped through its parameters', () => {
    const p = (o: Partial<typeof COUCHDB_DEFAULTS>) => ({ ...COUCHDB_DEFAULTS, ...o });
    assert.equal(linkProfile('radio', p({ worker_batch_size: 10 })).like, 'lorawan');
    assert.equal(linkProfile('mobile', p({ worker_batch_size: 100 })).like, 'cellular');
    assert.equal(linkProfile('fast', p({ connection_timeout: 2000 })).like, 'lan');
    assert.equal(linkProfile('other', p({})).like, 'wan');
  });

  it('slower classes get more latency and jitter', () => {
    const order = [PROFILES.lan, PROFILES.wan, PROFILES.cellular, PROFILES.lorawan];
    for (let i = 1; i < order.length; i++) {
      assert.ok((order[i]?.latencyMs ?? 0) > (order[i - 1]?.latencyMs ?? 0));
      assert.ok((order[i]?.jitterMs ?? 0) > (order[i - 1]?.jitterMs ?? 0));
    }
  });
});
