import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { seededRandom } from '../core/random.ts';
import { redactor } from '../core/redact.ts';
import { diffFindings } from '../health/diff.ts';
import type { Finding, Severity } from '../health/types.ts';
import { Alerter } from './alerter.ts';
import { AlertsConfigSchema, alertsConfigFromFlags } from './schema.ts';
import type { AlertEvent, AlertSink } from './types.ts';
import { WebhookSink } from './webhook.ts';

const finding = (rule: Finding['rule'], severity: Severity, direction = 'n1->n2'): Finding => ({
  rule,
  severity,
  link: 'n1--n2',
  direction,
  db: 'sensors',
  node: null,
  evidence: { n: 1 },
  message: `${rule} ${severity}`,
  playbook: 'do something',
});

class Memory implements AlertSink {
  readonly events: AlertEvent[] = [];
  constructor(
    readonly name: string,
    readonly minSeverity: Severity = 'info',
  ) {}
  async send(e: AlertEvent) {
    this.events.push(e);
  }
}

/** Feeds a sequence of polls (each a list of findings) through the alerter, diffing like the poller. */
async function feed(alerter: Alerter, polls: Finding[][]) {
  let prev: Finding[] = [];
  polls.forEach((cur, i) => {
    alerter.handle(diffFindings(prev, cur), Date.UTC(2026, 10, 27, 16, 0, i));
    prev = cur;
  });
  await alerter.flush();
}

const summary = (s: Memory) => s.events.map((e) => `${e.event}:${e.rule}:${e.severity}`);

describe('Alerter', () => {
  test('deduplicated: one raised, one changed on escalation, one resolved — not one per poll', async () => {
    const sink = new Memory('m');
    const a = new Alerter({ mesh: 'seed', sinks: [sink] });
    const w = finding('stalled', 'warning');
    const c = finding('stalled', 'critical');
    await feed(a, [[], [w], [w], [w], [c], [c], [], [], []]);
    assert.deepEqual(summary(sink), [
      'raised:stalled:warning',
      'changed:stalled:critical',
      'resolved:stalled:critical',
    ]);
    const changed = sink.events[1] as AlertEvent;
    assert.equal(changed.previous_severity, 'warning');
    assert.equal(changed.key, 'stalled|n1--n2|sensors|n1->n2|');
    assert.equal(changed.mesh, 'seed');
    assert.match((sink.events[2] as AlertEvent).message, /^resolved: /);
  });

  test('a finding absent for one poll only (a crashing job retrying) is neither resolved nor raised again', async () => {
    const sink = new Memory('m');
    const a = new Alerter({ mesh: 'seed', sinks: [sink] });
    const f = finding('crashing', 'critical');
    await feed(a, [[f], [], [f], [], [f], [f]]);
    assert.deepEqual(summary(sink), ['raised:crashing:critical']);
    const once = new Memory('once');
    await feed(new Alerter({ mesh: 'seed', sinks: [once], resolveAfterPolls: 1 }), [[f], [], [f]]);
    assert.deepEqual(summary(once), [
      'raised:crashing:critical',
      'resolved:crashing:critical',
      'raised:crashing:critical',
    ]);
  });

  test('per-sink minimum severity: raised when it crosses it, resolved when it eases below', async () => {
    const all = new Memory('all', 'info');
    const crit = new Memory('crit', 'critical');
    const a = new Alerter({ mesh: 'seed', sinks: [all, crit] });
    const w = finding('lag', 'warning');
    const c = finding('lag', 'critical');
    await feed(a, [[w], [c], [w], [], []]);
    assert.deepEqual(summary(all), [
      'raised:lag:warning',
      'changed:lag:critical',
      'changed:lag:warning',
      'resolved:lag:warning',
    ]);
    assert.deepEqual(summary(crit), ['raised:lag:critical', 'resolved:lag:critical']);
  });

  test('a failing sink is counted and reported, never thrown, and does not stop the others', async () => {
    const good = new Memory('good');
    const bad: AlertSink = {
      name: 'bad',
      minSeverity: 'info',
      send: async () => {
        throw new Error('down');
      },
    };
    const errors: string[] = [];
    const a = new Alerter({
      mesh: 'seed',
      sinks: [bad, good],
      onError: (s, e) => errors.push(`${s.name}: ${(e as Error).message}`),
    });
    await feed(a, [[finding('failed', 'critical')]]);
    assert.equal(good.events.length, 1);
    assert.deepEqual(errors, ['bad: down']);
    assert.deepEqual(a.stats(), [
      { sink: 'bad', sent: 0, failed: 1 },
      { sink: 'good', sent: 1, failed: 0 },
    ]);
  });
});

describe('WebhookSink', () => {
  test('retries 5xx / 429 with jittered backoff on the injected clock, then delivers', async () => {
    const statuses = [503, 429, 500, 204];
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(JSON.parse(b));
        const st = statuses.shift() ?? 204;
        res.writeHead(st, st === 429 ? { 'retry-after': '2' } : {}).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const clock = new ManualClock(0);
    const delays: number[] = [];
    const sink = new WebhookSink({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=t0ps3cret`,
      headers: { authorization: 'Bearer x' },
      clock,
      random: seededRandom(7),
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      onRetry: (e) => delays.push(e.delayMs),
    });
    assert.equal(sink.name, `webhook http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    const a = new Alerter({ mesh: 'seed', sinks: [sink] });
    a.handle(diffFindings([], [finding('crashing', 'critical')]), 0);
    // each retry sleeps on the manual clock: advance until delivered
    for (let i = 0; i < 50 && bodies.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (clock.pending) await clock.advance(60_000);
    }
    await a.flush();
    server.close();
    assert.equal(bodies.length, 4, 'three failures, then delivered');
    assert.deepEqual(a.stats(), [{ sink: sink.name, sent: 1, failed: 0 }]);
    assert.equal(delays.length, 3);
    assert.ok(delays[0]! < 1000, `full jitter below the first ceiling: ${delays}`);
    assert.ok(delays[1]! >= 2000, 'Retry-After: 2 honoured');
    assert.equal((bodies[0] as AlertEvent).type, 'couchmesh.alert');
  });

  test('4xx is final: no retry', async () => {
    let n = 0;
    const server = createServer((_req, res) => {
      n++;
      res.writeHead(400).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sink = new WebhookSink({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      clock: new ManualClock(0),
    });
    const errors: string[] = [];
    const a = new Alerter({
      mesh: 'seed',
      sinks: [sink],
      onError: (_s, e) => errors.push((e as Error).message),
    });
    a.handle(diffFindings([], [finding('crashing', 'critical')]), 0);
    await a.flush();
    server.close();
    assert.equal(n, 1);
    assert.match(errors[0] ?? '', /alert not delivered \(HTTP 400\)/);
  });
});

describe('alerts config', () => {
  test('CLI flags and the mesh.yaml shape', () => {
    const c = alertsConfigFromFlags({ webhook: ['https://hooks.example/x'], alertLog: ['/tmp/a.ndjson'] });
    assert.equal(c.min_severity, 'warning');
    assert.equal(c.resolve_after_polls, 2);
    assert.deepEqual(
      c.sinks.map((s) => s.type),
      ['webhook', 'log'],
    );
    assert.equal(c.sinks[0]?.type === 'webhook' && c.sinks[0].retries, 4);
    assert.equal(
      AlertsConfigSchema.safeParse({ sinks: [{ type: 'webhook', url: 'ftp://x' }] }).success,
      false,
    );
    assert.equal(AlertsConfigSchema.safeParse({ sinks: [{ type: 'email' }] }).success, false);
  });
});

describe('alert redaction', () => {
  test('every event is masked before a sink sees it: URL userinfo by default, known secrets when given', async () => {
    const leaky = { ...finding('crashing', 'critical'), message: 'source http://admin:Pw-91z@h/db: Pw-91z' };
    const plain = new Memory('plain');
    await feed(new Alerter({ mesh: 'm', sinks: [plain] }), [[leaky]]);
    assert.equal(plain.events[0]?.message, 'source http://admin:***@h/db: Pw-91z');
    const masked = new Memory('masked');
    await feed(new Alerter({ mesh: 'm', sinks: [masked], redact: redactor([{ value: 'Pw-91z' }]) }), [
      [leaky],
    ]);
    assert.ok(!JSON.stringify(masked.events).includes('Pw-91z'));
  });
});
