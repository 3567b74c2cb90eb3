// VERIFY-CHAOS (#16), a peer answering garbage, wrong-shaped JSON, truncating, hanging mid-response
// or rate-limiting (429): the short deterministic subset of `npm run chaos -- --peer N`. Each run:
// two nodes linked both ways, one behind a bad-peer front limited to one request kind, writers on
// both while the fault holds. A faulted job crashes with a reason and retries (a throttled one backs
// off without crashing); after the heal both nodes are identical with every acknowledged write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerFaultMode } from './lib/bad-peer.ts';
import { type FaultTarget, peerRun } from './lib/peer-run.ts';

const cases: Array<[PeerFaultMode, FaultTarget, RegExp]> = [
  // the regression: `_bulk_docs` answered 201 `{…}` counted every doc as written (33 lost)
  ['wrong-shape', 'bulk_docs', /^bad_response: POST URL\/sensors\/_bulk_docs/],
  ['garbage', 'reads', /^bad_response: POST URL\/sensors\/_bulk_get .*not JSON/],
  ['truncate', 'checkpoint', /^http_request_failed: /],
  ['hang', 'changes', /^http_request_failed: GET URL\/sensors\/_changes: timed out/],
];

describe('chaos: a peer answering garbage, truncating, hanging or throttling', () => {
  for (const [mode, on, reason] of cases)
    it(`${mode} on ${on}: the job crashes with a reason, retries, and nothing is lost`, async () => {
      const r = await peerRun(mode, 1, { on, faultMs: 1500 });
      assert.deepEqual(r.violations, [], r.steps.join('\n'));
      assert.ok(r.faulted > 0 && r.acked > 0);
      assert.ok(
        r.reasons.some((x) => reason.test(x)),
        r.reasons.join('\n'),
      );
    });

  it('throttle (429 + Retry-After on a share of every request): backs off, never crashes, nothing lost', async () => {
    const r = await peerRun('throttle', 1, { on: 'all', faultMs: 1500 });
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.deepEqual(r.reasons, []);
    assert.ok(r.faulted > 0 && r.faulted < r.requests, `${r.faulted} of ${r.requests}`);
  });

  it('a wall of 429s: the job crashes with max_backoff, is retried, never fails for good, nothing lost', async () => {
    const r = await peerRun('throttle', 1, { on: 'all', faultMs: 2500, maxBackoffMs: 150 });
    assert.deepEqual(r.violations, [], r.steps.join('\n'));
    assert.deepEqual(r.reasons, ['max_backoff']);
  });
});
