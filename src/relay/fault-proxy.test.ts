import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { seededRandom } from '../core/random.ts';
import { startFaultProxy } from './fault-proxy.ts';

/** Waits (event-loop turns, never a timed assertion) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.fail(`never happened: ${what}`);
}

function client(port: number): { sock: Socket; got: () => string; events: string[] } {
  const sock = connect(port, '127.0.0.1');
  let data = '';
  const events: string[] = [];
  sock.on('data', (b) => {
    data += b.toString();
  });
  sock.on('error', (e: NodeJS.ErrnoException) => events.push(`error:${e.code}`));
  sock.on('close', () => events.push('close'));
  return { sock, got: () => data, events };
}

describe('fault proxy (test harness)', () => {
  let echo: Server;
  let echoPort: number;
  let upstreamConns = 0;
  before(async () => {
    echo = createServer((s) => {
      upstreamConns++;
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => echo.close(() => r())));

  const start = (clock?: ManualClock, seed?: number) =>
    startFaultProxy({
      target: { host: '127.0.0.1', port: echoPort },
      ...(clock ? { clock } : {}),
      ...(seed !== undefined ? { random: seededRandom(seed) } : {}),
    });

  it('forwards both ways byte for byte, counting chunks and bytes', async () => {
    const p = await start();
    const c = client(p.port);
    c.sock.write('hello');
    await until(() => c.got() === 'hello', 'echo');
    assert.equal(p.counters.bytes.up, 5);
    assert.equal(p.counters.bytes.down, 5);
    c.sock.destroy();
    await p.close();
  });

  it('latency and jitter wait on the injected clock; chunks keep their order', async () => {
    const clock = new ManualClock(0);
    const p = await start(clock, 7);
    p.set({ latencyMs: 100, jitterMs: 50 });
    const c = client(p.port);
    await until(() => p.counters.accepted === 1, 'accepted');
    c.sock.write('a');
    await until(() => clock.pending === 1, 'delay armed');
    assert.equal(p.counters.bytes.up, 0, 'nothing forwarded before the delay');
    await clock.advance(99);
    assert.equal(p.counters.bytes.up, 0, 'still held one ms before the minimum latency');
    await clock.advance(51);
    await until(() => p.counters.bytes.up === 1, 'first chunk up');
    // several chunks, each with its own jitter: they arrive in the order they were sent
    for (const ch of 'bcdef') {
      c.sock.write(ch);
      await until(() => p.counters.queued > 0 || p.counters.bytes.up > 1, `queued ${ch}`);
      await clock.advance(1);
    }
    for (let i = 0; i < 20 && c.got().length < 6; i++) {
      await clock.advance(150);
      await new Promise((r) => setTimeout(r, 2));
    }
    await until(() => c.got().length === 6, 'all echoed');
    assert.equal(c.got(), 'abcdef');
    c.sock.destroy();
    await p.close();
  });

  it('a partition holds traffic with sockets open and new connections unconnected; heal delivers it', async () => {
    const p = await start();
    const c = client(p.port);
    c.sock.write('x');
    await until(() => c.got() === 'x', 'before partition');
    p.set({ partition: true });
    c.sock.write('y');
    await until(() => p.counters.queued === 1, 'held');
    const before = upstreamConns;
    const late = client(p.port);
    late.sock.write('z');
    await until(() => p.counters.accepted === 2, 'second accepted');
    assert.equal(p.counters.connectedUpstream, 1, 'the new connection waits for the heal');
    assert.deepEqual([c.events, late.events], [[], []], 'no reset, no close: a partition, not a refusal');
    assert.equal(c.got(), 'x');
    p.heal();
    await until(() => c.got() === 'xy' && late.got() === 'z', 'delivered after heal');
    assert.equal(upstreamConns, before + 1);
    c.sock.destroy();
    late.sock.destroy();
    await p.close();
  });

  it('drop holds one direction only', async () => {
    const p = await start();
    const c = client(p.port);
    p.set({ drop: ['down'] });
    c.sock.write('q');
    await until(() => p.counters.bytes.up === 1 && p.counters.queued === 1, 'up forwarded, down held');
    assert.equal(c.got(), '');
    p.set({ drop: [] });
    await until(() => c.got() === 'q', 'down released');
    c.sock.destroy();
    await p.close();
  });

  it('resets open connections, and new ones while resetNew is set', async () => {
    const p = await start();
    const c = client(p.port);
    c.sock.write('r');
    await until(() => c.got() === 'r', 'echo');
    p.resetAll();
    await until(() => c.events.includes('close'), 'closed');
    assert.ok(c.events.includes('error:ECONNRESET'), String(c.events));
    p.set({ resetNew: true });
    const d = client(p.port);
    await until(() => d.events.includes('close'), 'new one closed');
    assert.ok(d.events.includes('error:ECONNRESET'), String(d.events));
    assert.ok(p.counters.resets >= 2);
    await p.close();
  });

  it('a bandwidth cap delays a chunk by its size over the rate (on the injected clock)', async () => {
    const clock = new ManualClock(0);
    const p = await start(clock);
    p.set({ bandwidthBps: 1000 });
    const c = client(p.port);
    await until(() => p.counters.accepted === 1, 'accepted');
    c.sock.write('x'.repeat(500));
    await until(() => clock.pending === 1, 'rate delay armed');
    await clock.advance(499);
    assert.equal(p.counters.bytes.up, 0);
    await clock.advance(1);
    await until(() => p.counters.bytes.up === 500, 'forwarded after 500 ms');
    c.sock.destroy();
    await p.close();
  });
});
