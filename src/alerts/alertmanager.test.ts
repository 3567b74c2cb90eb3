// Alertmanager's format, posted to a local HTTP receiver on 127.0.0.1 shaped like Alertmanager's
// `POST /api/v2/alerts` (it checks the body as Alertmanager's OpenAPI `postableAlerts` does).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { diffFindings } from '../health/diff.ts';
import type { Finding, Severity } from '../health/types.ts';
import { Alerter, sinksFromConfig } from './alerter.ts';
import type { AlertmanagerAlert } from './alertmanager.ts';
import { alertsConfigFromFlags } from './schema.ts';
import { WebhookSink } from './webhook.ts';

const finding = (severity: Severity): Finding => ({
  rule: 'crashing',
  severity,
  link: 'n1--n2',
  direction: 'n1->n2',
  db: 'sensors',
  node: null,
  evidence: { errorCount: 2, reason: 'db_not_found' },
  message: 'n1->n2 (sensors) crashing: db_not_found',
  playbook: 'create the target database',
});

/** A receiver checking what Alertmanager's API validates: an array of alerts, string labels, times. */
async function receiver() {
  const posts: Array<{ path: string; body: AlertmanagerAlert[] }> = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      const body = JSON.parse(b) as AlertmanagerAlert[];
      const valid =
        req.headers['content-type'] === 'application/json' &&
        Array.isArray(body) &&
        body.every(
          (a) =>
            Object.values(a.labels).every((v) => typeof v === 'string' && v !== '') &&
            typeof a.labels.alertname === 'string' &&
            !Number.isNaN(Date.parse(a.startsAt)) &&
            (a.endsAt === undefined || !Number.isNaN(Date.parse(a.endsAt))),
        );
      posts.push({ path: req.url ?? '', body });
      res.writeHead(valid ? 200 : 400).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/alerts`;
  return { url, posts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const T = Date.UTC(2026, 10, 27, 16, 0, 0);

describe('Alertmanager webhook format', () => {
  test('raised, escalated, resolved: postable alerts with startsAt, the old severity ended, endsAt on resolve', async () => {
    const rx = await receiver();
    const clock = new ManualClock(T);
    const errors: unknown[] = [];
    const sink = new WebhookSink({
      url: rx.url,
      format: 'alertmanager',
      generatorUrl: 'http://127.0.0.1:8484/',
      minSeverity: 'info',
      clock,
    });
    const a = new Alerter({
      mesh: 'seed',
      sinks: [sink],
      resolveAfterPolls: 1,
      onError: (_s, e) => errors.push(e),
    });
    const w = finding('warning');
    const c = finding('critical');
    a.handle(diffFindings([], [w]), T);
    a.handle(diffFindings([w], [c]), T + 10_000);
    a.handle(diffFindings([c], []), T + 20_000);
    await a.flush();
    await rx.close();
    assert.deepEqual(errors, []);
    assert.equal(rx.posts.length, 3);
    assert.ok(rx.posts.every((p) => p.path === '/api/v2/alerts'));
    const [raised, changed, resolved] = rx.posts.map((p) => p.body) as [
      AlertmanagerAlert[],
      AlertmanagerAlert[],
      AlertmanagerAlert[],
    ];
    assert.deepEqual(raised, [
      {
        labels: {
          alertname: 'couchmesh_crashing',
          severity: 'warning',
          mesh: 'seed',
          rule: 'crashing',
          link: 'n1--n2',
          db: 'sensors',
          direction: 'n1->n2',
        },
        annotations: {
          summary: 'n1->n2 (sensors) crashing: db_not_found',
          description: 'create the target database',
          evidence: '{"errorCount":2,"reason":"db_not_found"}',
          key: 'crashing|n1--n2|sensors|n1->n2|',
        },
        startsAt: '2026-11-27T16:00:00.000Z',
        generatorURL: 'http://127.0.0.1:8484/',
      },
    ]);
    assert.deepEqual(
      changed.map((x) => [x.labels.severity, x.startsAt, x.endsAt]),
      [
        ['warning', '2026-11-27T16:00:00.000Z', '2026-11-27T16:00:10.000Z'],
        ['critical', '2026-11-27T16:00:00.000Z', undefined],
      ],
    );
    assert.deepEqual(
      resolved.map((x) => [x.labels.severity, x.startsAt, x.endsAt]),
      [['critical', '2026-11-27T16:00:00.000Z', '2026-11-27T16:00:20.000Z']],
    );
    assert.match(resolved[0]?.annotations.summary ?? '', /^resolved: /);
  });

  test('firing alerts are re-sent every repeat_ms (Alertmanager forgets silent ones), not once resolved', async () => {
    const rx = await receiver();
    const config = alertsConfigFromFlags({
      webhook: [rx.url],
      webhookFormat: 'alertmanager',
      minSeverity: 'info',
    });
    assert.equal(config.sinks[0]?.type === 'webhook' && config.sinks[0].format, 'alertmanager');
    const a = new Alerter({ mesh: 'seed', sinks: sinksFromConfig(config, { clock: new ManualClock(T) }) });
    const c = finding('critical');
    const none = diffFindings([c], [c]);
    a.handle(diffFindings([], [c]), T);
    a.handle(none, T + 30_000);
    a.handle(none, T + 60_000);
    a.handle(none, T + 90_000);
    a.handle(diffFindings([c], []), T + 100_000);
    a.handle(diffFindings([], []), T + 200_000);
    await a.flush();
    await rx.close();
    assert.deepEqual(
      rx.posts.map((p) => p.body.map((x) => (x.endsAt ? 'ended' : 'firing')).join()),
      ['firing', 'firing', 'ended'],
      'the raise, one re-send at +60 s, the resolve; nothing once resolved',
    );
  });

  test('json stays the default format', () => {
    const config = alertsConfigFromFlags({ webhook: ['http://127.0.0.1:1/x'] });
    assert.equal(config.sinks[0]?.type === 'webhook' && config.sinks[0].format, 'json');
  });
});
