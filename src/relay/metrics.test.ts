import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CouchClient } from '../couch/client.ts';
import { startNode } from '../node/index.ts';
import { parseAllow } from './allow.ts';
import { type Relay, startRelay } from './relay.ts';

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('relay --metrics: the counters in the Prometheus text format', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let relay: Relay;
  let plain: Relay;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'sekrit-pw' } });
    const allow = parseAllow(`127.0.0.1:${node.port}`);
    relay = await startRelay({ port: 0, allow, metrics: true });
    plain = await startRelay({ port: 0, allow });
  });
  after(async () => {
    await relay.close();
    await plain.close();
    await node.close();
  });

  const through = async (url: string, tunnel: boolean) => {
    const c = new CouchClient({
      url,
      proxy: relay.url,
      proxyTunnel: tunnel,
      retries: 0,
      auth: { username: 'admin', password: 'sekrit-pw' },
    });
    try {
      await c.serverInfo();
    } catch {
      // refused: counted, which is what this test reads
    } finally {
      await c.close();
    }
  };

  it('GET /metrics on the relay port: connections, bytes each way, denied, errors, active; no destination or secret', async () => {
    await through(node.url, true);
    await through(node.url, false);
    await through('http://127.0.0.1:1', true); // off the allow list: denied
    const res = await fetch(`${relay.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const s = relay.counters.snapshot();
    assert.ok(s.connections >= 2 && s.bytesUp > 0 && s.bytesDown > 0 && s.refused === 1, JSON.stringify(s));
    assert.equal(sample(text, 'couchmesh_relay_connections_total'), s.connections);
    assert.equal(sample(text, 'couchmesh_relay_bytes_total{direction="up"}'), s.bytesUp);
    assert.equal(sample(text, 'couchmesh_relay_bytes_total{direction="down"}'), s.bytesDown);
    assert.equal(sample(text, 'couchmesh_relay_denied_total'), 1);
    assert.equal(sample(text, 'couchmesh_relay_errors_total'), s.failed);
    assert.ok((sample(text, 'couchmesh_relay_active_connections') ?? -1) >= 0);
    assert.match(text, /# TYPE couchmesh_relay_connections_total counter/);
    for (const secret of ['sekrit', String(node.port), '127.0.0.1', 'authorization'])
      assert.ok(!text.includes(secret), `'${secret}' in the metrics`);
    // a scrape is no proxy request: it is neither a connection nor refused
    assert.deepEqual(relay.counters.snapshot(), s);
  });

  it('without --metrics, /metrics is refused like any request that is not a proxy request', async () => {
    const res = await fetch(`${plain.url}/metrics`);
    assert.equal(res.status, 400);
    await res.text();
    assert.equal(plain.counters.refused, 1);
    // and with it, only GET /metrics is answered: anything else origin-form is still refused
    const other = await fetch(`${relay.url}/other`);
    assert.equal(other.status, 400);
    await other.text();
  });
});
