import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { userError } from '../core/errors.ts';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { runDemo } from './demo.ts';
import type { DemoEvent, DemoNodeHandle, StartNode } from './demo-types.ts';

const PASSWORD = 'demo-test-pw';
const env = { COUCHMESH_PASSWORD: PASSWORD };

/** The real `startNode`, keeping every handle it returned and whether the demo closed it. */
function watchedStart(after?: (i: number, node: DemoNodeHandle) => Promise<void>) {
  const nodes: Array<{ url: string; closed: boolean }> = [];
  const start: StartNode = async (o) => {
    const node = await startNode(o);
    const seen = { url: node.url, closed: false };
    nodes.push(seen);
    await after?.(nodes.length - 1, node);
    return {
      ...node,
      close: () => {
        seen.closed = true;
        return node.close();
      },
    };
  };
  return { nodes, start };
}

/** Every node the demo started was closed and its port answers no more. */
async function assertNoneRunning(nodes: ReadonlyArray<{ url: string; closed: boolean }>): Promise<void> {
  assert.ok(nodes.length > 0);
  for (const n of nodes) {
    assert.equal(n.closed, true, `${n.url} closed`);
    await assert.rejects(fetch(`${n.url}/`), `${n.url} no longer answers`);
  }
}

const kinds = (events: readonly DemoEvent[]) => events.map((e) => e.type).filter((t) => t !== 'port-busy');

describe('the demo operation', () => {
  it('reports its progress in order, moves a node off a busy port, and close() stops every node', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as { port: number }).port;
    const events: DemoEvent[] = [];
    const { nodes, start } = watchedStart();
    try {
      const run = await runDemo({ nodes: 3, port: busy }, { env, startNode: start }, (e) => events.push(e));
      assert.deepEqual(kinds(events), [
        'starting',
        'node-up',
        'node-up',
        'node-up',
        'mesh-written',
        'applying',
        'plan',
        'applied',
        'writing',
        'converged',
      ]);
      const moved = events.find((e) => e.type === 'port-busy');
      assert.deepEqual(moved && { node: moved.node, wanted: moved.wanted }, { node: 'n1', wanted: busy });
      assert.notEqual(run.nodes[0]?.url, `http://127.0.0.1:${busy}`);
      assert.equal(run.apply.ok, true);
      assert.deepEqual(
        run.arrivals.map((a) => a.node),
        ['n1', 'n2', 'n3'],
      );
      assert.equal(run.passwordFile, undefined, 'the environment gave the password');
      assert.equal(nodes.length, 3);
      assert.ok(nodes.every((n) => !n.closed));
      await run.close();
      await assertNoneRunning(nodes);
      assert.equal(existsSync(run.meshFile), false, 'the temporary mesh copy is removed');
    } finally {
      await new Promise<void>((res) => blocker.close(() => res()));
    }
  });

  it('a node that cannot start: the nodes already up are closed and the error is thrown', async () => {
    const events: DemoEvent[] = [];
    const { nodes, start } = watchedStart();
    const failing: StartNode = async (o) => {
      if (nodes.length === 2) throw userError('E_NODE_OPTION', 'no third node today');
      return start(o);
    };
    await assert.rejects(
      runDemo({ port: 0 }, { env, startNode: failing }, (e) => events.push(e)),
      /no third node today/,
    );
    assert.deepEqual(kinds(events), ['starting', 'node-up', 'node-up']);
    await assertNoneRunning(nodes);
  });

  it('an apply that fails on a node: E_DEMO_APPLY after the outcome, every node closed', async () => {
    const events: DemoEvent[] = [];
    // n2's _replicator refuses every write (a validate_doc_update, as a CouchDB admin could set)
    const { nodes, start } = watchedStart(async (i, node) => {
      if (i !== 1) return;
      const c = new CouchClient({ url: node.url, auth: { username: 'admin', password: PASSWORD } });
      try {
        await c.put('/_replicator/_design/deny', {
          validate_doc_update: 'function () { throw({ forbidden: "no replications here" }); }',
        });
      } finally {
        await c.close();
      }
    });
    await assert.rejects(
      runDemo({ nodes: 3, port: 0 }, { env, startNode: start }, (e) => events.push(e)),
      (e: { code?: string }) => e.code === 'E_DEMO_APPLY',
    );
    const applied = events.find((e) => e.type === 'applied');
    assert.deepEqual(applied?.type === 'applied' && applied.outcome.failed, ['n2']);
    assert.equal(kinds(events).at(-1), 'applied', 'no sample is written after a failed apply');
    await assertNoneRunning(nodes);
  });

  it('refuses a node count outside 2..32 before starting anything', async () => {
    const { nodes, start } = watchedStart();
    await assert.rejects(
      runDemo({ nodes: 33 }, { env, startNode: start }),
      /--nodes expects 2\.\.32, got 33/,
    );
    assert.equal(nodes.length, 0);
  });
});
