// Must show: a recreated source database -> the `seq-regression` finding (critical) and an alert on
// both sinks: a JSON POST to a webhook (which fails twice first: retried with backoff) and an NDJSON
// line in an alert log — once, however many polls keep seeing it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Alerter } from '../../src/alerts/alerter.ts';
import { LogSink } from '../../src/alerts/log.ts';
import type { AlertEvent } from '../../src/alerts/types.ts';
import { WebhookSink } from '../../src/alerts/webhook.ts';
import { DB, direction, findingsOf, type Json, pollUntil, TelemetryMesh } from './helpers.ts';

describe('telemetry: a recreated source db', () => {
  const mesh = new TelemetryMesh();
  const posts: Json[] = [];
  let failFirst = 2;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failFirst-- > 0) return res.writeHead(503).end();
      posts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    await mesh.apply();
    await mesh.write('n1', 'orig', 30);
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    hook.close();
    await mesh.close();
  });

  it('a recreated source db -> sequence regression alert', async () => {
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts?token=secret`;
    const logFile = join(mesh.dir, 'alerts.ndjson');
    const retries: number[] = [];
    const alerter = new Alerter({
      mesh: 't',
      sinks: [
        new WebhookSink({
          url,
          retries: 4,
          backoffBaseMs: 20,
          backoffMaxMs: 100,
          onRetry: (e) => retries.push(e.status ?? 0),
        }),
        new LogSink(logFile, 'warning'),
      ],
    });
    const poller = mesh.poller();
    const seen = await pollUntil(poller, 'n1->n2 caught up at 30', (r) => {
      alerter.handle(r.diff, r.at);
      const d = direction(r, 'n1', 'n2');
      return d.state === 'running' && d.lagEstimate === 0 && d.docsWritten === 30;
    });
    assert.equal(findingsOf(seen, 'seq-regression').length, 0);
    // the reverse direction would refill the new n1 db from n2 before the poller looks: stop it
    const rev = await mesh.ok('n1', 'GET', `/_replicator/couchmesh.t.${DB}.n2--n1`);
    await mesh.ok('n1', 'DELETE', `/_replicator/couchmesh.t.${DB}.n2--n1?rev=${rev._rev}`);

    // the source db is dropped and created again (a restore, an operator mistake), with 3 new docs
    await mesh.ok('n1', 'DELETE', `/${DB}`);
    await mesh.ok('n1', 'PUT', `/${DB}`);
    await mesh.write('n1', 'new', 3);
    const r = await pollUntil(poller, 'seq-regression on n1->n2', (x) => {
      alerter.handle(x.diff, x.at);
      return findingsOf(x, 'seq-regression', 'n1->n2').length > 0;
    });
    const [f] = findingsOf(r, 'seq-regression', 'n1->n2');
    assert.equal(f?.severity, 'critical');
    assert.equal(
      f?.evidence.kind === 'source' || f?.evidence.kind === 'instance',
      true,
      String(f?.evidence.kind),
    );
    assert.match(f?.message ?? '', /went backwards|recreated/);
    assert.match(f?.playbook ?? '', /delete the _local checkpoints on source and target/);
    // more polls: still there, no new alert
    for (let i = 0; i < 3; i++) alerter.handle((await poller.pollOnce()).diff, Date.now());
    await alerter.flush();

    const regressions = (list: AlertEvent[]) =>
      list.filter((e) => e.rule === 'seq-regression' && e.direction === 'n1->n2' && e.event === 'raised');
    assert.equal(regressions(posts).length, 1, 'one webhook POST for the regression');
    assert.ok(retries.filter((s) => s === 503).length >= 1, `the webhook was retried after 503s: ${retries}`);
    const post = regressions(posts)[0] as AlertEvent;
    assert.equal(post.type, 'couchmesh.alert');
    assert.equal(post.severity, 'critical');
    assert.equal(post.link, 'n1--n2');
    assert.equal(post.db, DB);
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AlertEvent);
    assert.equal(regressions(lines).length, 1, 'one NDJSON line for the regression');
    assert.deepEqual(
      alerter.stats().map((s) => s.failed),
      [0, 0],
    );
    assert.equal(
      alerter.sinks[0]?.name.includes('secret'),
      false,
      'the webhook query (token) is never shown',
    );
  });
});
