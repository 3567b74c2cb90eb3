import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { sampleReadings, waitForArrivals } from './demo-data.ts';

describe('the demo data', () => {
  it('sample readings: ids and values from the clock, stamped to the second', () => {
    const docs = sampleReadings(3, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)));
    assert.deepEqual(
      docs.map((d) => d._id),
      ['station-1:2026-01-02T03:04:05Z', 'station-2:2026-01-02T03:04:05Z', 'station-3:2026-01-02T03:04:05Z'],
    );
    assert.deepEqual(docs[2], {
      _id: 'station-3:2026-01-02T03:04:05Z',
      type: 'reading',
      station: 'station-3',
      temperature_c: 19.4,
      humidity_pct: 46,
      at: '2026-01-02T03:04:05Z',
    });
  });

  it('arrivals: counted on the injected clock; readings that never come end in E_DEMO_TIMEOUT', async () => {
    const node = await startNode({ port: 0, inMemory: true, admins: { admin: 'pw' } });
    const client = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'pw' } });
    try {
      await client.put('/sensors', {});
      const docs = sampleReadings(2, new Date(0));
      await client.post('/sensors/_bulk_docs', { docs: docs.slice(0, 1) });
      const clock = new ManualClock(1_000);
      const nodes = [{ name: 'n1', url: node.url, wanted: 0 }];
      const o = { db: 'sensors', samples: [docs[0]?._id as string], t0: 990, clock, timeoutMs: 20 };
      assert.deepEqual(await waitForArrivals(o, nodes, [client]), [{ node: 'n1', ms: 10 }]);

      // the second reading is never written: the node is asked every 5 ms until 20 ms have passed
      const waiting = waitForArrivals({ ...o, samples: docs.map((d) => d._id) }, nodes, [client]);
      let settled = false;
      const outcome = waiting.then(
        () => assert.fail('the readings cannot arrive'),
        (e: { code?: string }) => {
          settled = true;
          return e.code;
        },
      );
      let waits = 0;
      while (!settled) {
        if (clock.pending) {
          waits++;
          await clock.advance(5);
        } else await new Promise((r) => setImmediate(r));
      }
      assert.equal(await outcome, 'E_DEMO_TIMEOUT');
      assert.equal(waits, 5, 'asked at 0, 5, 10, 15, 20 and 25 ms: 25 ms is past the 20 ms deadline');
    } finally {
      await client.close();
      await node.close();
    }
  });
});
