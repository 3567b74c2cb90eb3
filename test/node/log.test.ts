// NODE-TRUST: the node logs requests and couch_replicator-style job lines (added / started / crashed
// with the reason / checkpointed, each with the replication id and the doc id), in CouchDB's line
// format, and never a credential.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startNode } from '../../src/node/index.ts';
import { grepLog } from '../../src/ops/grep-log.ts';

const H = {
  authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  'content-type': 'application/json',
};

async function waitFor(what: string, cond: () => boolean) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

test('request lines and couch_replicator job lines, in CouchDB format, without credentials', async () => {
  const lines: string[] = [];
  const node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: 'admin' },
    log: (l) => lines.push(l),
  });
  try {
    await fetch(`${node.url}/_node/_local/_config/replicator/backoff_base_msec`, {
      method: 'PUT',
      headers: H,
      body: '"50"',
    });
    await fetch(`${node.url}/src`, { method: 'PUT', headers: H });
    await fetch(`${node.url}/src/d1`, { method: 'PUT', headers: H, body: '{"a":1}' });
    // one job that works (checkpoints), one that crashes: wrong password, also in URL userinfo
    const good = {
      source: { url: `${node.url}/src`, auth: { basic: { username: 'admin', password: 'admin' } } },
      target: { url: `${node.url}/tgt`, auth: { basic: { username: 'admin', password: 'admin' } } },
      create_target: true,
      continuous: true,
      checkpoint_interval: 100,
    };
    const bad = {
      source: { url: `${node.url.replace('//', '//admin:URL-SECRET@')}/src` },
      target: { url: `${node.url}/tgt2`, auth: { basic: { username: 'admin', password: 'BASIC-SECRET' } } },
      continuous: true,
    };
    await fetch(`${node.url}/_replicator/good`, { method: 'PUT', headers: H, body: JSON.stringify(good) });
    await fetch(`${node.url}/_replicator/bad`, { method: 'PUT', headers: H, body: JSON.stringify(bad) });
    await waitFor('a checkpoint line', () =>
      lines.some((l) => /recording a checkpoint/.test(l) && /good/.test(l)),
    );
    await waitFor('a crash line', () => lines.some((l) => /crashed/.test(l) && /_replicator:bad/.test(l)));
    const sched = (await (
      await fetch(`${node.url}/_scheduler/docs/_replicator/bad`, { headers: H })
    ).json()) as {
      id: string;
    };
    const crash = lines.find((l) => /crashed/.test(l) && /_replicator:bad/.test(l)) as string;
    assert.match(
      crash,
      /^\[error\] \d{4}-\d\d-\d\dT[\d:.]+Z couchmesh@\S+ <0\.0\.0> -------- couch_replicator: /,
    );
    assert.ok(crash.includes(sched.id), 'the line carries the replication id doctor --log greps for');
    assert.ok(lines.some((l) => /starting replication/.test(l) && l.includes(sched.id)));
    assert.ok(
      lines.some((l) => /^\[notice\] .* admin PUT \/_replicator\/good 201 ok \d+$/.test(l)),
      'request line',
    );
    assert.doesNotMatch(
      lines.join('\n'),
      /URL-SECRET|BASIC-SECRET|YWRtaW46YWRtaW4/,
      'no credential in any line',
    );
    // `couchmesh doctor --log` reads such a file and finds the crashing replication's lines
    const file = join(mkdtempSync(join(tmpdir(), 'couchmesh-log-')), 'couch.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const found = await grepLog(file, [sched.id, 'bad']);
    assert.ok(
      found.lines.some((l) => /crashed/.test(l)),
      JSON.stringify(found),
    );
  } finally {
    await node.close();
  }
});

test('the log level filters lines; no sink, no cost', async () => {
  const lines: string[] = [];
  const node = await startNode({
    port: 0,
    inMemory: true,
    admins: { admin: 'admin' },
    log: (l) => lines.push(l),
    logLevel: 'warning',
  });
  await fetch(`${node.url}/_up`);
  await node.close();
  assert.deepEqual(lines, []);
});
