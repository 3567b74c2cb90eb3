// Must show: the audit's group commit, and its lazy opening. Batches that record while an audit write is in flight are sent
// together in the next `_bulk_docs` (one commit on the node instead of one per batch); each caller
// learns only its own refused entries, and only once the write holding its entries was answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CouchClient } from '../../src/couch/index.ts';
import {
  type AuditEntry,
  CouchAuditSink,
  parseConflictsConfig,
  ResolverWorker,
} from '../../src/resolve/index.ts';
import { createDb, suiteNode } from './helpers.ts';

const entry = (i: number): AuditEntry => ({
  _id: `d:doc-${i}:${i.toString(16).padStart(32, '0')}`,
  type: 'couchmesh.declined',
  db: 'sensors',
  doc_id: `doc-${i}`,
  strategy: 'lww',
  reason: 'test',
  winner_rev: '1-a',
  leaves: ['1-a', '1-b'],
  recorded_at: '2026-01-01T00:00:00.000Z',
});

/** The node's client, counting the audit's `_bulk_docs` and how many entries each one carried. */
function counting(client: CouchClient, sizes: number[]): CouchClient {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'post')
        return (path: string, body: { docs?: unknown[] }, ...rest: unknown[]) => {
          if (path.endsWith('/_bulk_docs')) sizes.push(body.docs?.length ?? 0);
          return (target.post as (...a: unknown[]) => Promise<unknown>)(path, body, ...rest);
        };
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('audit group commit', () => {
  const node = suiteNode('audit-group');

  it('batches recording while a write is in flight share the next _bulk_docs; each gets its own refusals', async () => {
    const sizes: number[] = [];
    const sink = new CouchAuditSink(counting(node().client, sizes), 'audit_group');
    await sink.open();
    // an entry the node refuses alone: its validate_doc_update forbids it (a per-document error row)
    await node().client.put('/audit_group/_design/guard', {
      validate_doc_update:
        "function (doc) { if (doc.doc_id === 'doc-99') throw { forbidden: 'not this one' }; }",
    });
    const bad = entry(99);
    const first = sink.record([entry(0), entry(1)]);
    const second = sink.record([entry(2), bad]);
    const third = sink.record([entry(3)]);
    const [a, b, c] = await Promise.all([first, second, third]);
    assert.deepEqual(sizes, [2, 3], 'the first batch alone at once, the two that waited together');
    assert.equal(a.size, 0);
    assert.deepEqual([...b.keys()], [bad._id], 'only the caller of the refused entry hears of it');
    assert.equal(c.size, 0);
    for (const i of [0, 1, 2, 3]) assert.ok(await sink.get(entry(i)._id), `entry ${i} stored`);
    // a lone batch later is sent at once, on its own
    assert.equal((await sink.record([entry(4)])).size, 0);
    assert.deepEqual(sizes, [2, 3, 1]);
  });

  it('an audit database that cannot be created fails the run, even one with nothing to record', async () => {
    await createDb(node(), 'calm');
    const worker = await ResolverWorker.create({
      client: node().client,
      db: 'calm',
      config: parseConflictsConfig({ strategy: 'lww' }),
      // its creation travels beside the first read; the run still waits for (and reports) it
      audit: new CouchAuditSink(node().client, 'Not A Valid Name'),
    });
    await assert.rejects(worker.runOnce(), /illegal_database_name|Name/);
  });
});
