import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SERVER_WRITTEN_REPLICATION_FIELD_SET,
  SERVER_WRITTEN_REPLICATION_FIELDS,
} from './replicator-fields.ts';
import { computeRevId } from './revid.ts';

test('the five members couch_replicator_docs writes, as a list and a set', () => {
  assert.deepEqual([...SERVER_WRITTEN_REPLICATION_FIELDS].sort(), [
    '_replication_id',
    '_replication_state',
    '_replication_state_reason',
    '_replication_state_time',
    '_replication_stats',
  ]);
  assert.equal(SERVER_WRITTEN_REPLICATION_FIELD_SET.size, 5);
});

test('they are body (hashed into the rev id); any other `_` member is not', () => {
  const rev = (bodyText: string) =>
    computeRevId({ deleted: false, parentPos: 0, parentRevId: null, bodyText, atts: [] });
  assert.notEqual(rev('{"_replication_state":"failed"}'), rev('{}'));
  assert.equal(rev('{"_conflicts":[]}'), rev('{}'));
});
