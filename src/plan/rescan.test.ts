import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { rescanWarnings } from './rescan.ts';
import type { Action, ManagedReplication, ObservedNode } from './types.ts';

// test/fixtures/couchdb/cluster-members/82: node c re-pointed from member 26301 to 26302
const FIXTURE = readFileSync(
  new URL('../../test/fixtures/couchdb/cluster-members/82-plan-url-failover.txt', import.meta.url),
  'utf8',
);

const doc = (source: string, target: string, user = 'admin'): ManagedReplication =>
  ({
    source: { url: source, auth: { basic: { username: user, password: 'hunter2' } } },
    target: { url: target, auth: { basic: { username: user, password: 'hunter2' } } },
    couchmesh: { mesh: 'cmix', db: 'sensors', from: 'c', to: 's1', link: 'c--s1' },
  }) as unknown as ManagedReplication;

const update = (want: ManagedReplication): Action =>
  ({ kind: 'update-doc', node: 's1', id: 'couchmesh.cmix.sensors.c--s1', rev: '1-a', doc: want }) as Action;

const observed = (body: ManagedReplication): ObservedNode[] => [
  {
    node: 's1',
    reachable: true,
    databases: [],
    replicator: [
      { id: 'couchmesh.cmix.sensors.c--s1', rev: '1-a', body: body as unknown as Record<string, unknown> },
    ],
    requests: 0,
  },
];

describe('plan: updates that re-scan from 0 (a new replication id)', () => {
  it('a source URL change (another member) warns, naming the cost and the hint', () => {
    assert.match(
      FIXTURE,
      /source\.url: http:\/\/127\.0\.0\.1:26301\/sensors -> http:\/\/127\.0\.0\.1:26302\/sensors/,
    );
    const was = doc('http://127.0.0.1:26301/sensors', 'http://127.0.0.1:26311/sensors');
    const want = doc('http://127.0.0.1:26302/sensors', 'http://127.0.0.1:26311/sensors');
    const [w, ...rest] = rescanWarnings([update(want)], observed(was), () => 20);
    assert.equal(rest.length, 0);
    assert.equal(w?.code, 'W_PLAN_RESCAN');
    assert.deepEqual(w?.changes, [
      { field: 'source.url', from: 'http://127.0.0.1:26301/sensors', to: 'http://127.0.0.1:26302/sensors' },
    ]);
    assert.match(
      w?.message ?? '',
      /^c->s1 \(sensors\) re-scans from 0: 20 docs in sensors on c \(source\.url/,
    );
    assert.match(w?.hint ?? '', /source_proxy\/target_proxy are not part of CouchDB's replication id/);
    assert.doesNotMatch(JSON.stringify(w), /hunter2/);
  });

  it('a username change warns too; a password rotation or a trailing slash does not', () => {
    const was = doc('http://a/sensors', 'http://b/sensors');
    assert.deepEqual(
      rescanWarnings([update(doc('http://a/sensors', 'http://b/sensors', 'repl'))], observed(was)).map(
        (w) => [w.changes.map((c) => c.field), w.docs],
      ),
      [[['source.auth.basic.username', 'target.auth.basic.username'], undefined]],
    );
    const rotated = doc('http://a/sensors/', 'http://b/sensors');
    (rotated.source.auth as { basic: { password: string } }).basic.password = 'new';
    assert.deepEqual(rescanWarnings([update(rotated)], observed(was)), []);
  });

  it('without a known size, the cost names the database', () => {
    const w = rescanWarnings(
      [update(doc('http://lb/sensors', 'http://b/sensors'))],
      observed(doc('http://a/sensors', 'http://b/sensors')),
    );
    assert.match(w[0]?.message ?? '', /re-scans from 0: the whole of sensors on c/);
  });
});
