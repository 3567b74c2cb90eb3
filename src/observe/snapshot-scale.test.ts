// linkView's cost when docs are not where planned (a fleet not applied yet): counted in reads of
// the snapshots' `docs`, which must grow with directions + nodes, not directions x nodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkView } from './snapshot.ts';
import { countedRing, runningDoc, snapshot, T0 } from './test-support.ts';

test('linkView with every doc missing reads each node docs a bounded number of times', () => {
  const { links, reads, counted, name } = countedRing(60, 5);
  const snaps = Array.from({ length: 60 }, (_, i) => counted(snapshot(name(i), T0)));
  const views = linkView(snaps, links);
  const directions = links.length * 2;
  assert.equal(views.flatMap((v) => v.directions).filter((d) => d.state === 'missing').length, directions);
  // one read of the planned node per direction + one pass over every node (was directions x nodes)
  assert.ok(reads.n <= directions + 60, `${reads.n} reads of docs for ${directions} directions`);
});

test('a doc away from its planned node is still found, first node by name winning', () => {
  const { links, counted, name } = countedRing(10, 2);
  const ref = links[0]?.directions[0];
  assert.ok(ref);
  const doc = runningDoc(ref.docId);
  const snaps = Array.from({ length: 10 }, (_, i) =>
    counted(snapshot(name(i), T0, i === 7 || i === 5 ? { docs: [doc] } : {})),
  );
  const d = linkView(snaps, links)[0]?.directions[0];
  assert.equal(d?.state, 'running');
  assert.equal(d?.docNode, 'n5');
});
