// TOPOLOGY must-show: a saved plan (`plan --out`) holds no secret and applies while fresh; a saved
// plan gone stale (nodes or mesh file changed) is refused and nothing is written. `--json` output of
// every command contains no password (asserted on the real password string).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyOperation } from '../../src/ops/apply.ts';
import { cli, RequestLog, SeedMesh, seedId } from './helpers.ts';

describe('saved plans', () => {
  const mesh = new SeedMesh();
  before(() => mesh.start());
  after(() => mesh.close());
  const planFile = () => join(mesh.dir, 'plan.json');

  it('plan --out saves the plan without secrets; apply plan.json applies it (no prompt)', async () => {
    const p = await cli(mesh, ['plan', '-f', mesh.file, '--out', planFile()]);
    assert.equal(p.code, 0, p.o.all);
    assert.match(p.o.stdout, /Saved the plan to .*plan\.json \(no secrets in it\)/);
    const text = readFileSync(planFile(), 'utf8');
    assert.equal(text.includes(mesh.password), false, 'no password in the saved plan');
    assert.match(text, /"password": "\(sensitive\)"/);
    const saved = JSON.parse(text);
    assert.equal(saved.format, 'couchmesh-plan/1');
    assert.equal(saved.plan.actions.length, 14);
    assert.match(saved.mesh_sha256, /^[0-9a-f]{64}$/);

    const a = await cli(mesh, ['apply', planFile()]);
    assert.equal(a.code, 0, a.o.all);
    assert.match(a.o.stdout, /Apply complete: 14 changes on 4 nodes\./);
    // credentials were resolved from the mesh at apply time: the replication docs carry the real one
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${seedId('n1', 'n2')}`);
    assert.equal(doc.source.auth.basic.password, mesh.password);
  });

  it('a saved plan is refused once a node changed (hand edit), and nothing is written', async () => {
    // plan a change, then someone edits n3 before the plan is applied
    const id = seedId('n1', 'n2');
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, { ...doc, checkpoint_interval: 6000 });
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--out', planFile()])).code, 0);
    const other = seedId('n1', 'n3');
    const d3 = await mesh.ok('n3', 'GET', `/_replicator/${other}`);
    await mesh.ok('n3', 'PUT', `/_replicator/${other}`, { ...d3, http_connections: 1 });

    const log = new RequestLog();
    await assert.rejects(
      applyOperation({ planFile: planFile() }, mesh.deps(log), async () => true),
      (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, 'E_PLAN_STALE');
        assert.match(
          e.message,
          /the saved plan .*plan\.json is stale: node n3 changed since the plan was made/,
        );
        assert.match(
          e.hint ?? '',
          /nothing was written\. Make a new plan \(couchmesh plan -f .* --out .*plan\.json\)/,
        );
        return true;
      },
    );
    assert.equal(log.writes(), 0);
    assert.equal((await mesh.ok('n2', 'GET', `/_replicator/${id}`)).checkpoint_interval, 6000);

    const r = await cli(mesh, ['apply', planFile()]);
    assert.equal(r.code, 1);
    assert.match(
      r.o.stderr,
      /couchmesh: the saved plan .* is stale: node n3 changed since the plan was made/,
    );
    assert.match(r.o.stderr, /\n {2}hint: nothing was written/);
  });

  it('a saved plan is refused once the mesh file changed', async () => {
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--out', planFile()])).code, 0);
    writeFileSync(mesh.file, `${mesh.text}\n# edited after planning\n`);
    const r = await cli(mesh, ['apply', planFile()]);
    assert.equal(r.code, 1);
    assert.match(r.o.stderr, /is stale: the mesh file changed since the plan was made/);
    writeFileSync(mesh.file, mesh.text);
    // back to the planned file and state: the plan is fresh again
    const ok = await cli(mesh, ['apply', planFile(), '--json']);
    assert.equal(ok.code, 0, ok.o.all);
    assert.equal(JSON.parse(ok.o.stdout).saved_plan, planFile());
  });

  it('a saved plan cannot be re-optioned; a file that is not a plan is refused', async () => {
    const r = await cli(mesh, ['apply', planFile(), '--prune']);
    assert.equal(r.code, 1);
    assert.match(r.o.stderr, /--prune cannot change a saved plan/);
    const junk = join(mesh.dir, 'junk.json');
    writeFileSync(junk, '{"hello": 1}');
    const j = await cli(mesh, ['apply', junk]);
    assert.equal(j.code, 1);
    assert.match(j.o.stderr, /junk\.json is not a saved couchmesh plan/);
  });
});

describe('secrets never printed', () => {
  const mesh = new SeedMesh();
  before(() => mesh.start());
  after(() => mesh.close());

  it('plan / apply / destroy, human and --json, show (sensitive) and never the password', async () => {
    const runs = [
      ['plan', '-f', mesh.file, '--json'],
      ['plan', '-f', mesh.file],
      ['apply', '-f', mesh.file, '--yes', '--json'],
    ];
    const outputs: string[] = [];
    for (const args of runs) {
      const r = await cli(mesh, args);
      assert.equal(r.code, 0, r.o.all);
      outputs.push(r.o.all);
    }
    // a password change shows as a change of source/target, with both values hidden
    const id = seedId('n1', 'n2');
    const doc = await mesh.ok('n2', 'GET', `/_replicator/${id}`);
    doc.source.auth.basic.password = `${mesh.password}-old`;
    doc.target.url = `http://admin:${mesh.password}@127.0.0.1:1/sensors`;
    await mesh.ok('n2', 'PUT', `/_replicator/${id}`, doc);
    for (const args of [
      ['plan', '-f', mesh.file, '--json'],
      ['plan', '-f', mesh.file],
      ['apply', '-f', mesh.file, '--yes', '--json'],
      ['destroy', '-f', mesh.file, '--yes', '--json'],
      ['destroy', '-f', mesh.file, '--yes'],
    ]) {
      const r = await cli(mesh, args);
      assert.equal(r.code, 0, r.o.all);
      outputs.push(r.o.all);
    }
    const all = outputs.join('\n');
    assert.equal(all.includes(mesh.password), false, 'the password appears nowhere');
    assert.match(all, /"password": "\(sensitive\)"/);
    assert.match(all, /source\.auth\.basic\.password: \(sensitive\) -> \(sensitive\)/);
    assert.match(all, /target\.url: http:\/\/admin:\(sensitive\)@127\.0\.0\.1:1\/sensors -> http/);
    const json = JSON.parse(outputs[0] as string);
    assert.equal(
      json.actions.find((a: { kind: string }) => a.kind === 'create-doc').doc.source.auth.basic.password,
      '(sensitive)',
    );
  });
});
