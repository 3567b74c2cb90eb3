// A "constrained gateway" target (`maxRequestRate`): it answers 429 with Retry-After beyond its rate;
// the replicator backs off (CouchDB's AIMD rate limiter, apart from `retries_per_request`) and still
// completes, or crashes with `max_backoff` when `max_backoff_interval_msec` is tiny.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTraceProxy, type TraceProxy } from '../interop/peers.ts';
import { endpoint, http, Nodes, ok, setConfig, type TestNode, waitState, writeDocs } from './helpers.ts';

describe('a rate-limited target (429)', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let limited: TestNode;
  let proxy: TraceProxy;

  before(async () => {
    src = await nodes.start();
    limited = await nodes.start({ maxRequestRate: 20 });
    await ok('PUT', `${src.url}/src`);
    await writeDocs(src, 'src', 'doc', 200);
    await ok('PUT', `${limited.url}/tgt`);
    // count what the target answers (the proxy only records and forwards)
    proxy = await startTraceProxy(limited.url);
  });
  after(async () => {
    await proxy?.close();
    await nodes.closeAll();
  });

  it('gets 429s, backs off and completes', async () => {
    // the job runs on the source node (push), so the test's own polling does not use the target's budget
    await ok('PUT', `${src.url}/_replicator/to-limited`, {
      source: endpoint(src, 'src'),
      target: endpoint({ url: proxy.url }, 'tgt'),
      // small batches: ~90 requests, far more than the target's burst of 20, so 429s are certain
      worker_batch_size: 5,
    });
    const d = await waitState(src, 'to-limited', 'completed', undefined, 60_000);
    assert.equal(d.info.docs_written, 200);
    assert.equal(d.info.doc_write_failures, 0);
    assert.equal((await ok('GET', `${limited.url}/tgt`)).doc_count, 200);
    const limitedCount = proxy.requests.filter((r) => r.status === 429).length;
    const total = proxy.requests.length;
    assert.ok(limitedCount > 0, `the target answered 429 (${limitedCount} of ${total})`);
    // the job never crashed: 429s do not use up retries_per_request
    const r = await http('GET', `${src.url}/_replicator/to-limited`);
    assert.equal(r.body._replication_state, 'completed');
  });

  it('crashes with max_backoff when max_backoff_interval_msec is tiny', async () => {
    const tight = await nodes.start({ maxRequestRate: 2 });
    await ok('PUT', `${tight.url}/tgt`);
    await setConfig(src, { max_backoff_interval_msec: '50', backoff_base_msec: '60000' });
    await ok('PUT', `${src.url}/_replicator/to-tight`, {
      source: endpoint(src, 'src'),
      target: endpoint(tight, 'tgt'),
      worker_batch_size: 10,
    });
    const d = await waitState(src, 'to-tight', 'crashing', undefined, 15_000);
    assert.deepEqual(d.info, { error: 'max_backoff' });
    const job = await ok('GET', `${src.url}/_scheduler/jobs/${encodeURIComponent(d.id)}`);
    assert.equal(job.history[0].type, 'crashed');
    assert.equal(job.history[0].reason, 'max_backoff');
  });
});
