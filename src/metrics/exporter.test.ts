// The exposition is one consistent poll: prom-client's `registry.metrics()` is async, but each gauge's
// `get()` copies its series synchronously and `update()` is synchronous, so an update landing while a
// scrape is pending never yields a half-reset series (a direction keeps exactly one state at 1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PollResult } from '../watch/poller.ts';
import { DIRECTION_STATES, MeshMetrics } from './exporter.ts';

const direction = (from: string, to: string, state: string) => ({
  link: 'a--b',
  db: 'd',
  from,
  to,
  direction: `${from}->${to}`,
  observed: true,
  state,
  errorCount: state === 'crashing' ? 3 : 0,
  lagEstimate: 0,
  changesPending: null,
  docsWritten: 1,
  docWriteFailures: 0,
  checkpointAge: 5000,
});

/** A poll of one link whose a->b direction is in `state` (only the fields the exporter reads). */
const poll = (state: string): PollResult =>
  ({
    poll: 1,
    startedAt: 0,
    at: 1000,
    snapshots: [],
    findings: [],
    requests: { total: 2 },
    views: [
      {
        mesh: 'm',
        link: 'a--b',
        db: 'd',
        directions: [direction('a', 'b', state), direction('b', 'a', 'crashing')],
      },
    ],
  }) as unknown as PollResult;

const statesOf = (text: string, dir: string) =>
  text.split('\n').filter((l) => l.startsWith('couchmesh_link_state{') && l.includes(`direction="${dir}"`));

describe('MeshMetrics', () => {
  it('one-hot state per direction, every state present', async () => {
    const m = new MeshMetrics('m');
    m.update(poll('running'));
    const lines = statesOf(await m.metrics(), 'a->b');
    assert.equal(lines.length, DIRECTION_STATES.length);
    assert.deepEqual(
      lines.filter((l) => l.endsWith(' 1')),
      [
        'couchmesh_link_state{mesh="m",link="a--b",db="d",direction="a->b",from="a",to="b",state="running"} 1',
      ],
    );
  });

  it('an update while a scrape is pending never yields a partial series', async () => {
    const m = new MeshMetrics('m');
    m.update(poll('running'));
    // interleave the update after 0..9 microtask turns of the scrape: no timing involved
    for (let turns = 0; turns < 10; turns++) {
      const scrape = m.metrics();
      for (let i = 0; i < turns; i++) await Promise.resolve();
      m.update(poll(turns % 2 ? 'running' : 'pending'));
      const lines = statesOf(await scrape, 'a->b');
      assert.equal(lines.length, DIRECTION_STATES.length, `after ${turns} turns`);
      assert.equal(lines.filter((l) => l.endsWith(' 1')).length, 1, `after ${turns} turns`);
    }
  });
});
