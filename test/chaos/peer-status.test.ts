// VERIFY-CHAOS (#16), the observe side of a bad peer: `couchmesh status` (the status operation)
// against a node that answers garbage, wrong-shaped JSON, truncates, hangs mid-response or answers
// 429 reports that node unreachable with the error's code and returns, never hangs or throws; the
// healthy node beside it is still reported.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { statusOperation } from '../../src/ops/status-run.ts';
import type { PeerFaultMode } from './lib/bad-peer.ts';
import { FRONTED, OTHER, PeerWorld } from './lib/peer-world.ts';

const expected: Array<[PeerFaultMode, string]> = [
  ['garbage', 'E_COUCH_PROTOCOL'],
  ['wrong-shape', 'E_TELEMETRY_SHAPE'],
  ['truncate', 'E_COUCH_UNREACHABLE'],
  ['hang', 'E_COUCH_TIMEOUT'],
  ['throttle', 'E_COUCH_HTTP'],
];

describe('chaos: status against a node answering garbage, truncating, hanging or throttling', () => {
  const w = new PeerWorld();
  before(async () => {
    await w.start();
    // the node itself (not only its link) reached through the front
    writeFileSync(w.file, readFileSync(w.file, 'utf8').replace(w.mesh.url(FRONTED), w.peer.url));
  });
  after(() => w.close());

  for (const [mode, code] of expected)
    it(`${mode}: ${FRONTED} unreachable with ${code}, ${OTHER} reported, no hang`, {
      timeout: 30_000,
    }, async () => {
      // the server-level reads of the poller only (the link's replication goes through the front too)
      w.peer.set({ mode, match: /^GET \/_(?!session)/ });
      const faulted = w.peer.counters.faulted[mode];
      try {
        const r = await statusOperation({ file: w.file }, w.deps(1000));
        const rows = new Map(r.reports[0]?.nodes.map((n) => [n.node, n]));
        assert.equal(rows.get(FRONTED)?.reachable, false);
        assert.equal(rows.get(FRONTED)?.error?.code, code, JSON.stringify(rows.get(FRONTED)));
        assert.equal(rows.get(OTHER)?.reachable, true);
        assert.ok(r.reports[0]?.findings.some((f) => f.rule === 'node-unreachable'));
        // bounded: the first failed read marks the node unreachable, nothing waits on it again
        const asked = w.peer.counters.faulted[mode] - faulted;
        assert.ok(asked >= 1 && asked <= 3, `${asked} faulted requests`);
      } finally {
        w.peer.heal();
      }
    });
});
