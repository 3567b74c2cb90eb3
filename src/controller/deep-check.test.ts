import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityChange } from './deep-check.ts';
import type { DbIdentity } from './store.ts';

const id = (p: Partial<DbIdentity>): DbIdentity => ({
  node: 'n1',
  db: 'sensors',
  update_seq: '10-x',
  seq_number: 10,
  docs_total: 10,
  instance_start_time: '1700000000000000',
  at: 0,
  ...p,
});

describe('database identity', () => {
  it('the same database growing, or deleting docs, is no change', () => {
    assert.equal(identityChange(id({}), id({ seq_number: 12, docs_total: 12 })), null);
    assert.equal(identityChange(id({}), id({ seq_number: 11 })), null, 'a delete keeps the total');
  });

  it('a new instance_start_time is a recreation (not on clusters, where it is "0")', () => {
    assert.match(
      identityChange(id({}), id({ instance_start_time: '1800000000000000' })) ?? '',
      /instance_start_time/,
    );
    assert.equal(identityChange(id({ instance_start_time: '0' }), id({ instance_start_time: '0' })), null);
  });

  it('update_seq going back or fewer docs in total is a recreation on CouchDB 3 clusters', () => {
    const cluster = { instance_start_time: '0' };
    assert.match(
      identityChange(id(cluster), id({ ...cluster, seq_number: 0, docs_total: 0 })) ?? '',
      /update_seq went back/,
    );
    assert.match(
      identityChange(id(cluster), id({ ...cluster, seq_number: 12, docs_total: 3 })) ?? '',
      /doc_count/,
    );
  });
});
