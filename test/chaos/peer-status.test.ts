// VERIFY-CHAOS (#16), the observe side of a bad peer: `couchmesh status` (the status operation)
// against a node that answers garbage, wrong-shaped JSON, truncates, hangs mid-response or answers
// 429 reports that node failed with the error's code and returns, never hangs or throws; the
// healthy node beside it is still reported. Only the network failures (truncated, hung) are called
// unreachable: a node that answers garbage, a wrong shape or a 429 is `node-erroring`.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { statusOperation } from '../../src/ops/status-run.ts';
import type { PeerFaultMode } from './lib/bad-peer.ts';
import { FRONTED, OTHER, PeerWorld } from './lib/peer-world.ts';

const expected: Array<[PeerFaultMode, string, 'node-unreachable' | 'node-erroring']> = [
  ['garbage', 'E_COUCH_PROTOCOL', 'node-erroring'],
  ['wrong-shape', 'E_TELEMETRY_SHAPE', 'node-erroring'],
  ['truncate', 'E_COUCH_UNREACHABLE', 'node-unreachable'],
  ['hang', 'E_COUCH_TIMEOUT', 'node-unreachable'],
  ['throttle', 'E_COUCH_HTTP', 'node-erroring'],
];

describe('chaos: status against a node answering garbage, truncating, hanging or throttling', () => {
  const w = new PeerWorld();
  before(async () => {
    await w.start();
    // the node itself (not only its link) reached through the front
    writeFileSync(w.file, readFileSync(w.file, 'utf8').replace(w.mesh.url(FRONTED), w.peer.url));
  });
  after(() => w.close());

  for (const [mode, code, rule] of expected)
    it(`${mode}: ${FRONTED} ${rule} with ${code}, ${OTHER} reported, no hang`, {
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
        const rules = r.reports[0]?.findings.filter((f) => f.node === FRONTED).map((f) => f.rule);
        assert.ok(rules?.includes(rule), JSON.stringify(rules));
        // bounded: the first failed read marks the node unreachable, nothing waits on it again
        const asked = w.peer.counters.faulted[mode] - faulted;
        assert.ok(asked >= 1 && asked <= 3, `${asked} faulted requests`);
      } finally {
        w.peer.heal();
      }
    });
});
