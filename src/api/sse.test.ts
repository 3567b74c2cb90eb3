// The event stream over real HTTP: snapshot first, then events in order, heartbeats, and the
// subscription released when the client goes or the server closes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControllerSnapshot } from '../controller/view.ts';
import { applyEvent } from './events.ts';
import { startApi } from './server.ts';
import { FakeController, openEvents, recordedStatus } from './testing.ts';

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond());
};

test('snapshot first (with retry), then every event once, in order; the client can rebuild the state', async () => {
  const fake = new FakeController();
  const api = await startApi(fake, { heartbeatMs: 60_000, retryMs: 2500 });
  try {
    const stream = await openEvents(`${api.url}/api/v1/events`);
    assert.match(stream.res.headers.get('content-type') ?? '', /text\/event-stream/);
    const first = await stream.next();
    assert.equal(first?.event, 'snapshot');
    assert.equal(first?.retry, 2500);
    let state = JSON.parse(first?.data ?? '') as ControllerSnapshot;
    assert.equal(state.directions.length, 10);
    await until(() => fake.listeners === 1);
    fake.emit({ type: 'poll', status: recordedStatus('n3-down') });
    const down = recordedStatus('n3-down').findings[0]!;
    fake.emit({ type: 'finding', change: 'raised', finding: down });
    fake.emit({ type: 'finding', change: 'resolved', finding: down });
    const types: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await stream.next();
      types.push(m?.event ?? '');
      const e = JSON.parse(m?.data ?? '');
      assert.equal(m?.id, String(e.generation));
      state = applyEvent(state, e);
    }
    assert.deepEqual(types, ['poll', 'finding', 'finding']);
    assert.deepEqual(state, fake.snapshot());
    stream.close();
    await until(() => fake.listeners === 0);
  } finally {
    await api.close();
  }
});

test('heartbeat comments while idle; close() ends open streams', async () => {
  const fake = new FakeController();
  const api = await startApi(fake, { heartbeatMs: 20 });
  const stream = await openEvents(`${api.url}/api/v1/events`);
  await stream.next();
  const rest = stream.next();
  await until(() => stream.parser.comments >= 2);
  await api.close();
  assert.equal(await rest, null, 'the stream ended without another event');
  assert.equal(fake.listeners, 0);
});
