import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { CouchAuditSink, type ResolutionEntry } from '../resolve/index.ts';
import { type ControllerDemoEvent, startControllerDemo } from './demo.ts';
import { demoMeshText } from './demo-mesh.ts';
import type { PartitionEvent } from './demo-partition.ts';

const PASSWORD = 'controller-demo-pw';

describe("the controller's demo", () => {
  it('partition: conflicts appear after the heal, the controller resolves them with an audit entry each', async () => {
    const events: ControllerDemoEvent[] = [];
    const demo = await startControllerDemo(
      { port: 0, scenario: 'partition' },
      { env: { COUCHMESH_PASSWORD: PASSWORD }, startNode },
      (e) => events.push(e),
    );
    try {
      assert.deepEqual(demo.isolated?.links, ['n1--n2', 'n1--n3']);
      // an interactive pace (short here): a notice before the cut, a cut held a while
      const r = await demo.partition({ beforeMs: 10, holdMs: 10 });
      assert.deepEqual(r.sides, ['n1', 'n2']);
      assert.equal(r.written, 5);
      assert.ok(r.appeared >= 1 && r.appeared <= 5, `appeared ${r.appeared}`);
      assert.equal(r.resolved.length, 5);
      const scenario = events
        .map((e) => e.type)
        .filter((t) => t.startsWith('partition-') || t.startsWith('conflicts-'));
      assert.deepEqual(scenario, [
        'partition-soon',
        'partition-cut',
        'partition-written',
        'partition-written',
        'partition-healed',
        'conflicts-appeared',
        'conflicts-resolved',
      ]);
      const done = events.at(-1) as Extract<PartitionEvent, { type: 'conflicts-resolved' }>;
      assert.equal(done.winner, 'n2');
      assert.equal(done.audit_ids.length, 5);
      // every resolution's audit entry is in the audit database of the node that resolved, losers kept
      const n1 = new CouchClient({
        url: demo.run.nodes[0]?.url as string,
        auth: { username: 'admin', password: PASSWORD },
      });
      try {
        for (const res of r.resolved) {
          assert.equal(res.strategy, 'lww');
          // entries live in batch documents: read through the audit's reader, not by document id
          const entry = (await new CouchAuditSink(n1).get(res.audit_id)) as ResolutionEntry;
          assert.equal(entry.doc_id, res.doc_id);
          assert.equal(entry.losers.length, 1);
        }
      } finally {
        await n1.close();
      }
      const actions = demo.controller.snapshot().actions.filter((a) => a.loop === 'resolve');
      assert.ok(actions.length >= 1 && actions.every((a) => a.outcome === 'done'));
    } finally {
      await demo.close();
    }
  });

  it('the demo mesh: controller and conflicts blocks; proxied links keep their pair, others stay plain', () => {
    const text = 'mesh: m\ndatabases:\n  - sensors\nlinks:\n  - [a, b]\n  - [b, c]\n';
    const spec = {
      links: [
        { key: 'a--b', nodes: ['a', 'b'] as const },
        { key: 'b--c', nodes: ['b', 'c'] as const },
      ],
    } as unknown as Parameters<typeof demoMeshText>[1];
    const out = demoMeshText(text, spec, {
      db: 'sensors',
      resolver: 'a',
      endpoints: new Map([['a--b', { a: 'http://127.0.0.1:9' }]]),
    });
    assert.match(out, /conflicts:\n\s+strategy: lww\n\s+timestamp: updated_at\n\s+node: a/);
    assert.match(out, /poll_interval_ms: 1000/);
    assert.match(out, /- \{ between: \[ a, b \], endpoints: \{ a: http:\/\/127\.0\.0\.1:9 \} \}/);
    assert.match(out, /- \[ b, c \]/);
  });
});
