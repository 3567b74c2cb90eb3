import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CouchClient } from '../../couch/index.ts';
import { startNode } from '../../node/index.ts';
import { main } from '../main.ts';
import { captureOutput as capture } from '../testing.ts';

const PASSWORD = 'pw-Zq81-secret';

describe('couchmesh conflicts', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  let base: string[];
  const saved = { ...process.env };
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
    const c = new CouchClient({ url: node.url, auth: { username: 'admin', password: PASSWORD } });
    await c.put('/sensors');
    const docs = [];
    for (let i = 0; i < 3; i++)
      for (const [l, h] of ['a', 'b', 'c'].entries())
        docs.push({
          _id: `doc-${i}`,
          _rev: `1-${h.repeat(32)}`,
          _revisions: { start: 1, ids: [h.repeat(32)] },
          n: l * 10 + i,
        });
    await c.post('/sensors/_bulk_docs', { docs, new_edits: false });
    await c.close();
    base = ['conflicts', '--url', node.url, '--db', 'sensors', '--user', 'admin'];
    process.env.COUCHMESH_PASSWORD = PASSWORD;
  });
  after(async () => {
    process.env = saved;
    await node.close();
  });

  async function run(args: string[]) {
    const o = capture();
    const [cmd, ...rest] = args;
    const code = await main([base[0] as string, cmd as string, ...base.slice(1), ...rest], o);
    assert.ok(
      !o.stdout.includes(PASSWORD) && !o.stderr.includes(PASSWORD),
      'the password never reaches the output',
    );
    return { code, ...o };
  }

  it('list and show: the conflicted docs, their leaves and what the strategy would do', async () => {
    const list = await run(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).map((r: { id: string; conflicts: string[] }) => [r.id, r.conflicts.length]),
      [
        ['doc-0', 2],
        ['doc-1', 2],
        ['doc-2', 2],
      ],
    );
    const text = await run(['list']);
    assert.match(text.stdout, /3 document\(s\) in conflict in sensors/);
    const show = await run(['show', 'doc-1', '--strategy', 'min', '--field', 'n']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /doc-1: 3 live leaves/);
    assert.match(show.stdout, /\* 1-c{32} {2}\{"n":21\}/);
    assert.match(show.stdout, /min would write \{"n":1\} on 1-c{32} and delete 1-b{32}, 1-a{32}/);
  });

  it('resolve --dry-run writes nothing; resolve resolves, with --json stats', async () => {
    const dry = await run(['resolve', '--dry-run', '--strategy', 'max', '--field', 'n']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would resolve doc-0: keep 1-c{32} by max, delete 1-b{32}, 1-a{32}/);
    assert.match(dry.stdout, /dry run: sensors: 0 resolved/);
    assert.equal(JSON.parse((await run(['list', '--json'])).stdout).length, 3);

    const r = await run(['resolve', '--strategy', 'min', '--field', 'n', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.stats.seen, out.stats.resolved, out.stats.failed], [3, 3, 0]);
    assert.equal(out.audit, 'db couchmesh_audit');
    assert.equal(JSON.parse((await run(['list', '--json'])).stdout).length, 0);
  });

  it('audit DOC shows the trail; undo RESOLUTION restores a loser', async () => {
    const audit = await run(['audit', 'doc-2', '--json']);
    assert.equal(audit.code, 0, audit.stderr);
    const [entry] = JSON.parse(audit.stdout);
    assert.equal(entry.type, 'couchmesh.resolution');
    assert.equal(entry.strategy, 'min');
    assert.match(
      (await run(['audit', 'doc-2'])).stdout,
      /resolution \(min\)\n {2}1-c{32} -> 2-[0-9a-f]{32} \(merged\)/,
    );

    const undo = await run(['undo', entry._id, '--rev', '1-'.concat('b'.repeat(32))]);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /restored 1-b{32} of doc-2 as 3-[0-9a-f]{32}/);
    const trail = JSON.parse((await run(['audit', 'doc-2', '--json'])).stdout);
    assert.deepEqual(
      trail.map((e: { type: string }) => e.type),
      ['couchmesh.resolution', 'couchmesh.undo'],
    );
  });

  it('credentials: only from the environment, never echoed; clear errors otherwise', async () => {
    delete process.env.COUCHMESH_PASSWORD;
    const missing = await run(['list']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /COUCHMESH_PASSWORD is not set/);
    process.env.COUCHMESH_PASSWORD = PASSWORD;
    const o = capture();
    const url = node.url.replace('://', `://admin:${PASSWORD}@`);
    assert.equal(await main(['conflicts', 'list', '--url', url, '--db', 'sensors', '--user', 'admin'], o), 1);
    assert.match(o.stderr, /carries credentials/);
    assert.ok(!o.stderr.includes(PASSWORD));
    const bad = await run(['resolve', '--strategy', 'union']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /fields/);
  });
});
