// A crash loop recorded as polls: CouchDB's recorded crashing doc (db_not_found, error_count n) while
// the job waits out its backoff, the running doc while it is restarted, on a ManualClock polled every
// 10 s. Today's rule ("absent from 2 polls") raises, resolves and raises again on every restart; the
// clear hold tied to the job's backoff raises once and resolves once, after the job stayed up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { N1N2, type Point, series, TH } from '../health/test-support.ts';
import { withDefaults } from '../health/types.ts';
import { crashingDoc, T0, twoNodeLink } from '../observe/test-support.ts';
import { HealthBook } from '../watch/health-book.ts';
import { Alerter, alerterFromConfig } from './alerter.ts';
import { backoffOf, ClearHold } from './hysteresis.ts';
import { AlertsConfigSchema } from './schema.ts';

const EVERY = 10_000;

/** The recorded loop: per phase, the job state for that long (crashing phases carry error_count). */
type Phase = { crashing: number; forMs: number } | { running: true; forMs: number };

function polls(phases: readonly Phase[]): Array<(at: number) => Point> {
  const out: Array<(at: number) => Point> = [];
  for (const p of phases)
    for (let t = 0; t < p.forMs; t += EVERY)
      out.push((at) =>
        'running' in p
          ? { t: at - T0, source: 5, checkpointed: 5 }
          : { t: at - T0, doc: crashingDoc(N1N2.docId, p.crashing, at) },
      );
  return out;
}

/** Polls the recorded phases on a ManualClock; returns the alert transitions of `crashing`. */
async function run(alerter: Alerter, phases: readonly Phase[]) {
  const clock = new ManualClock(T0);
  const book = new HealthBook(
    [twoNodeLink('n1', 'n2', 'sensors', 5000)],
    withDefaults({ ...TH, pollIntervalMs: EVERY }),
    600_000,
  );
  const events: string[] = [];
  for (const point of polls(phases)) {
    const at = clock.now();
    const { diff } = book.record(series([point(at)]), at);
    // severity changes (warning -> critical after crashing_after_ms) are not raises: left out
    for (const e of alerter.handle(diff, at))
      if (e.rule === 'crashing' && e.event !== 'changed') events.push(`${e.event}@${(at - T0) / 1000}s`);
    await clock.advance(EVERY);
  }
  return events;
}

const alerter = (o: Partial<ConstructorParameters<typeof Alerter>[0]> = {}) =>
  new Alerter({ mesh: 'm', sinks: [{ name: 'x', minSeverity: 'info', send: async () => {} }], ...o });

// a job restarting every 30 s: 30 s crashing (error_count 1, backoff 30 s), 30 s up, crashes again
const every30s: Phase[] = [
  { crashing: 1, forMs: 30_000 },
  { running: true, forMs: 30_000 },
  { crashing: 1, forMs: 30_000 },
  { running: true, forMs: 30_000 },
  { crashing: 1, forMs: 30_000 },
  { running: true, forMs: 300_000 },
];

describe('alert hysteresis', () => {
  test('today: absent from 2 polls resolves, so a job restarting every 30 s raises, resolves, raises', async () => {
    const events = await run(alerter(), every30s);
    assert.deepEqual(events, [
      'raised@0s',
      'resolved@40s',
      'raised@60s',
      'resolved@100s',
      'raised@120s',
      'resolved@160s',
    ]);
  });

  test('held for longer than the backoff (and 30 s): one raise, one resolve once the job stayed up', async () => {
    const events = await run(alerter({ minClearMs: 30_000, holdForBackoff: true }), every30s);
    assert.deepEqual(events, ['raised@0s', 'resolved@190s']);
  });

  test('a growing backoff (30 s, 60 s, 120 s) holds longer each time', async () => {
    // each restart (at a reschedule after the backoff) crashes again within 20 s, as a missing target does
    const growing: Phase[] = [
      { crashing: 1, forMs: 60_000 },
      { running: true, forMs: 20_000 },
      { crashing: 2, forMs: 120_000 },
      { running: true, forMs: 20_000 },
      { crashing: 3, forMs: 180_000 },
      { running: true, forMs: 300_000 },
    ];
    assert.deepEqual(await run(alerter(), growing), [
      'raised@0s',
      'resolved@70s',
      'raised@80s',
      'resolved@210s',
      'raised@220s',
      'resolved@410s',
    ]);
    const events = await run(alerter({ minClearMs: 30_000, holdForBackoff: true }), growing);
    // clear from the poll at 400 s; backoff(3) = 120 s: resolved at the first poll clear for longer
    assert.deepEqual(events, ['raised@0s', 'resolved@530s']);
  });

  test('the hold: min clear time, backoff from the evidence, and time measured on the poll times', () => {
    const f = {
      rule: 'crashing',
      severity: 'warning',
      link: 'a--b',
      db: 'd',
      direction: 'a->b',
      node: null,
      message: '',
      playbook: '',
    } as const;
    assert.equal(backoffOf({ ...f, evidence: { backoffMs: 120_000 } }), 120_000);
    assert.equal(backoffOf({ ...f, evidence: { errorCount: 2 } }), 60_000);
    assert.equal(backoffOf({ ...f, evidence: {} }), 0);
    const hold = new ClearHold({ afterPolls: 1, minClearMs: 5_000 });
    const present = { raised: [{ ...f, evidence: {} }], resolved: [], unchanged: [], changed: [] };
    const gone = { raised: [], resolved: [], unchanged: [], changed: [] };
    assert.equal(hold.next(present, 0).raised.length, 1);
    assert.equal(hold.next(gone, 1_000).resolved.length, 0, 'clear since 1 s only');
    assert.equal(hold.next(gone, 5_999).resolved.length, 0);
    const r = hold.next(gone, 6_000);
    assert.equal(r.resolved.length, 1, 'clear for 5 s');
    assert.equal(r.since.get('crashing|a--b|d|a->b|'), 0, 'raised at 0');
  });

  test('the alerts config turns the hold on by default (status --watch and the controller)', () => {
    assert.deepEqual(alerterFromConfig(AlertsConfigSchema.parse({}), { mesh: 'm' }).clearPolicy, {
      afterPolls: 2,
      minClearMs: 30_000,
      backoff: true,
    });
    assert.deepEqual(new Alerter({ mesh: 'm', sinks: [] }).clearPolicy, {
      afterPolls: 2,
      minClearMs: 0,
      backoff: false,
    });
  });
});
