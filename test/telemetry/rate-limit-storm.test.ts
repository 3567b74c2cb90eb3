// Must show: a constrained gateway (`maxRequestRate`: 429 + Retry-After beyond N requests/s) -> the
// replicator's AIMD backoff reaches max_backoff and the job crashes with it; the poller reads the
// crash history (`_scheduler/jobs`, on demand since error_count > 0) and raises the re-scan storm
// finding with the 429 / max_backoff evidence and the seed's step (let it finish at a lower rate).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findingsOf, pollUntil, TelemetryMesh } from './helpers.ts';

describe('telemetry: 429 storm on a constrained gateway', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start(
      [
        // n1 is behind NAT: it drives both directions (push to n2, pull from n2)
        { name: 'n1', replicator: { max_backoff_interval_msec: '50' } },
        { name: 'n2', options: { maxRequestRate: 10 } },
      ],
      [['n1', 'n2']],
      { workerBatchSize: 5, reachable: { n1: false } },
    );
    await mesh.apply();
    await mesh.write('n1', 'doc', 200);
  });
  after(() => mesh.close());

  it('maxRequestRate gateway -> rescan-storm finding (max_backoff / 429 reasons)', async () => {
    // the poller's own requests to the gateway get 429s too: let its client wait them out
    const m = mesh.openMesh({ ...mesh.deps(), client: { retries: 4, timeoutMs: 5000 } });
    const { newPoller } = await import('../../src/ops/poll.ts');
    const poller = newPoller(m, mesh.deps());
    // the finding and the crash in the job history the poller read, in one poll: the history is
    // re-read on its own cadence, so a poll can raise the finding before it holds the crash
    const crashedInHistory = (x: Awaited<ReturnType<typeof poller.pollOnce>>) =>
      x.snapshots
        .find((s) => s.node === 'n1')
        ?.jobs?.find((j) => j.doc_id === 'couchmesh.t.sensors.n1--n2')
        ?.history.some((e) => e.type === 'crashed' && e.reason === 'max_backoff') === true;
    const r = await pollUntil(
      poller,
      'rescan-storm on n1->n2, with the max_backoff crash in the job history',
      (x) => findingsOf(x, 'rescan-storm', 'n1->n2').length > 0 && crashedInHistory(x),
      60,
    );
    const [f] = findingsOf(r, 'rescan-storm', 'n1->n2');
    assert.ok(Number(f?.evidence.rateLimitedCrashes) >= 1, JSON.stringify(f?.evidence));
    assert.equal(f?.evidence.maxBackoff, true);
    assert.match(f?.message ?? '', /crash\(es\) from 429 \/ max_backoff/);
    assert.match(f?.playbook ?? '', /^429s on a constrained gateway: an over-aggressive re-scan/);
    assert.match(f?.playbook ?? '', /lower http_connections \/ worker_batch_size/);
    assert.ok(
      crashedInHistory(r),
      'the crash itself, with its reason, is in the job history the poller read',
    );
  });
});
