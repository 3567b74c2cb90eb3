// Must show 1: the seed's mesh on four embedded nodes, one continuous pull `_replicator` doc per
// direction (on the target node), replicating continuously: a write on N1 reaches N4 (and every
// node), a write on N4 reaches N1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoint, http, Nodes, ok, poll, schedDoc, type TestNode, waitState } from './helpers.ts';

const DB = 'sensors';
// the seed's links; each is replicated both ways
const LINKS: Array<[number, number]> = [
  [1, 2],
  [2, 3],
  [3, 1],
  [3, 4],
  [4, 2],
];

describe('seed mesh: N1<->N2, N2<->N3, N3<->N1, N3<->N4, N4<->N2 (continuous pull docs)', () => {
  const nodes = new Nodes();
  const n: Record<number, TestNode> = {};
  const docIds: Array<{ on: number; id: string }> = [];

  before(async () => {
    for (const i of [1, 2, 3, 4]) {
      n[i] = await nodes.start();
      await ok('PUT', `${n[i]!.url}/${DB}`);
    }
    for (const [a, b] of LINKS)
      for (const [src, tgt] of [
        [a, b],
        [b, a],
      ] as const) {
        // pull: the doc lives on the target node
        const id = `mesh-n${src}-to-n${tgt}`;
        await ok('PUT', `${n[tgt]!.url}/_replicator/${id}`, {
          source: endpoint(n[src]!, DB),
          target: endpoint(n[tgt]!, DB),
          continuous: true,
          create_target: false,
          mesh_link: `n${a}-n${b}`, // couchmesh metadata: ignored by the replicator
        });
        docIds.push({ on: tgt, id });
      }
  });
  after(() => nodes.closeAll());

  it('runs one continuous job per direction (10), all `running`', async () => {
    assert.equal(docIds.length, 10);
    for (const { on, id } of docIds) {
      const d = await waitState(n[on]!, id, 'running');
      assert.match(d.id, /^[0-9a-f]{32}\+continuous$/);
    }
    for (const i of [1, 2, 3, 4]) {
      const jobs = await ok('GET', `${n[i]!.url}/_scheduler/jobs`);
      const incoming = LINKS.filter(([a, b]) => a === i || b === i).length;
      assert.equal(jobs.total_rows, incoming, `N${i} pulls from each of its ${incoming} neighbours`);
    }
  });

  /** Polls every node for `id` until all have it. (How fast is bench/replication.ts's question, not a test's.) */
  async function visibleEverywhere(id: string): Promise<void> {
    await Promise.all(
      [1, 2, 3, 4].map((i) =>
        poll(`${id} on N${i}`, async () => (await http('GET', `${n[i]!.url}/${DB}/${id}`)).status === 200, {
          intervalMs: 2,
        }),
      ),
    );
  }

  it('a write on N1 reaches N4 and every node; a write on N4 reaches N1', async () => {
    for (let k = 0; k < 5; k++) {
      await ok('PUT', `${n[1]!.url}/${DB}/from-n1-${k}`, { k, origin: 'n1' });
      await visibleEverywhere(`from-n1-${k}`);
      await ok('PUT', `${n[4]!.url}/${DB}/from-n4-${k}`, { k, origin: 'n4' });
      await visibleEverywhere(`from-n4-${k}`);
    }
    // same revision everywhere (replicated, not rewritten)
    const revs = new Set<string>();
    for (const i of [1, 2, 3, 4]) revs.add((await ok('GET', `${n[i]!.url}/${DB}/from-n4-0`))._rev);
    assert.equal(revs.size, 1);
  });

  it('converges: every node holds the same docs, and the jobs stay `running` with no write failures', async () => {
    await poll('same doc_count on all nodes', async () => {
      const counts = await Promise.all(
        [1, 2, 3, 4].map(async (i) => (await ok('GET', `${n[i]!.url}/${DB}`)).doc_count),
      );
      return counts.every((c) => c === 10) ? counts : undefined;
    });
    for (const { on, id } of docIds) {
      const d = await schedDoc(n[on]!, id);
      assert.equal(d.state, 'running', id);
      assert.equal(d.info.doc_write_failures, 0, id);
    }
  });
});
