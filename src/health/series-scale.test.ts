// The health rules' cost when docs are not where planned (a fleet not applied yet): counted in
// reads of the snapshots' `docs`, which must grow with (directions + nodes) x polls, not with
// directions x nodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countedRing, runningDoc, snapshot, T0 } from '../observe/test-support.ts';
import { evaluateHealth } from './evaluate.ts';

test('evaluating a fleet without its docs reads each node docs a bounded number of times', () => {
  const nodes = 60;
  const polls = 3;
  const { links, reads, counted, name } = countedRing(nodes, 5);
  const snaps = [];
  for (let p = 0; p < polls; p++)
    for (let i = 0; i < nodes; i++) snaps.push(counted(snapshot(name(i), T0 + p * 5000)));
  const findings = evaluateHealth({ snapshots: snaps, links }, T0 + 10_000, { pollIntervalMs: 5000 });
  const directions = links.length * 2;
  assert.equal(findings.filter((f) => f.rule === 'doc-missing').length, directions);
  // per direction and poll: the planned node's docs a few times; the index once per snapshot
  const bound = 4 * directions * polls + nodes * polls;
  assert.ok(reads.n <= bound, `${reads.n} reads of docs (bound ${bound})`);
});

test('a doc found on another node in the ring is joined with that node', () => {
  const { links, counted, name } = countedRing(10, 2);
  const ref = links[0]?.directions[0];
  assert.ok(ref);
  const snaps = Array.from({ length: 10 }, (_, i) =>
    counted(snapshot(name(i), T0, i === 6 ? { docs: [runningDoc(ref.docId)] } : {})),
  );
  const findings = evaluateHealth({ snapshots: snaps, links }, T0, { pollIntervalMs: 5000 });
  assert.ok(!findings.some((f) => f.rule === 'doc-missing' && f.direction === `${ref.from}->${ref.to}`));
});
