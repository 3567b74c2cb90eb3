import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { describe, it } from 'node:test';
import { ringMesh, withUrls } from '../../ops/example-mesh.ts';
import { validateMesh } from '../../spec/validate.ts';
import { renderDemoJson } from '../views/demo.ts';
import { demoCommand } from './demo.ts';

describe('couchmesh demo', () => {
  it('runs the example mesh, shows the readings arriving everywhere, serves the dashboard until stopped, never prints the password', async () => {
    const lines: string[] = [];
    const password = 'demo-pw-that-must-not-show';
    const seen: { health?: number; mesh?: { nodes: number; directions: number } } = {};
    // while the demo runs: the printed dashboard URL answers /healthz and the mesh's JSON
    const wait = async () => {
      const url = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(lines.join('\n'))?.[1] as string;
      seen.health = (await fetch(`${url}healthz`)).status;
      seen.mesh = (await (await fetch(`${url}api/v1/mesh`)).json()) as typeof seen.mesh;
    };
    const r = await demoCommand(
      { port: 0 },
      { env: { COUCHMESH_PASSWORD: password }, out: (l) => lines.push(l), wait },
    );
    const text = lines.join('\n');
    assert.equal(seen.health, 200);
    assert.equal(seen.mesh?.nodes, 4);
    assert.equal(seen.mesh?.directions, 10);
    assert.match(text, /The controller runs on the mesh/);
    assert.match(text, /Ctrl-C stops them/);
    assert.ok(text.endsWith('stopping…'));
    await assert.rejects(fetch(`${r.dashboard}healthz`), 'the API is closed on return');
    assert.equal(r.apply.ok, true);
    assert.equal(r.apply.plan.summary.add, 20, '10 directions, each with its sensors and canary doc');
    assert.deepEqual(
      r.arrivals.map((a) => a.node),
      ['n1', 'n2', 'n3', 'n4'],
    );
    assert.ok(r.arrivals.every((a) => Number.isFinite(a.ms) && a.ms >= 0));
    assert.match(text, /n4: 5\/5 arrived after \d+ ms/);
    assert.match(text, /Converged: every reading is on all 4 nodes \(slowest \d+ ms after the write\)\./);
    assert.match(
      text,
      /curl -u "admin:\$COUCHMESH_PASSWORD" 'http:\/\/127\.0\.0\.1:\d+\/sensors\/_all_docs\?include_docs=true'/,
    );
    assert.match(text, /npx couchmesh plan -f \S+\/mesh\.yaml/);
    assert.match(text, /npx couchmesh graph -f /);
    assert.match(text, /COUCHMESH_PASSWORD is already set in your shell/);
    assert.equal(text.includes(password), false);
  });

  it('a busy example-mesh port: that node moves to a free port and a mesh copy names it; a made-up password stays in a file', async () => {
    const blocker: Server = createServer();
    // take n1's port if free; otherwise someone else already holds it, which is just as busy
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(25984, '127.0.0.1', () => resolve());
    });
    try {
      const lines: string[] = [];
      let json = '';
      let madeUp = '';
      const ready = (x: Parameters<typeof renderDemoJson>[0]) => {
        json = renderDemoJson(x);
        madeUp = readFileSync(x.passwordFile as string, 'utf8').trim();
      };
      const r = await demoCommand({ exit: true, json: true }, { env: {}, out: (l) => lines.push(l), ready });
      const text = lines.join('\n');
      // --json: one object a script can use; where the password is, never the password
      const o = JSON.parse(json) as Record<string, unknown>;
      assert.equal(o.dashboard, r.dashboard);
      assert.equal(o.password_file, r.passwordFile);
      assert.equal(o.password_env, 'COUCHMESH_PASSWORD');
      assert.deepEqual(
        o.nodes,
        r.nodes.map((n) => ({ name: n.name, url: n.url })),
      );
      assert.deepEqual(o.applied, { ok: true, actions: r.apply.applied, failed: [] });
      assert.ok(madeUp.length > 8);
      assert.equal(json.includes(madeUp), false);
      assert.match(text, /port 25984 is busy: n1 uses \d+ instead/);
      assert.notEqual(r.nodes[0]?.url, 'http://127.0.0.1:25984');
      assert.match(text, /the demo mesh with the controller's settings: \S+\/mesh\.yaml/);
      assert.match(
        text,
        /export COUCHMESH_PASSWORD="\$\(cat \S+\/password\)" {3}# the demo's admin password \(never printed\)/,
      );
      assert.equal(r.apply.ok, true);
    } finally {
      if (blocker.listening) await new Promise<void>((res) => blocker.close(() => res()));
    }
  });

  it('--scenario partition --exit: cuts n1 off, writes on both sides, heals; the controller resolves the conflicts', async () => {
    const lines: string[] = [];
    const r = await demoCommand(
      { exit: true, port: 0, scenario: 'partition' },
      { env: {}, out: (l) => lines.push(l) },
    );
    const text = lines.join('\n');
    assert.ok(r.partition && r.partition.appeared > 0);
    assert.equal(r.partition.resolved.length, 5);
    assert.ok(r.partition.resolved.every((x) => x.audit_id && x.node === 'n1' && x.losers.length === 1));
    const order = [
      /dashboard: http:\/\/127\.0\.0\.1:\d+\//,
      /Partition: cutting n1 off \(n1--n2, n1--n3\)/,
      /n1: updated 5 readings/,
      /n2: updated 5 readings/,
      /Healed n1--n2, n1--n3/,
      /conflicts appeared: [1-5] document\(s\) on n1/,
      /resolved by the controller: 5 document\(s\) on n1, last writer wins by updated_at \(n2's later write kept\); audit r:\S+/,
      /--exit: stopping the controller and the nodes\./,
    ].map((re) => re.exec(text)?.index ?? -1);
    assert.ok(
      order.every((i) => i >= 0),
      `every step printed: ${order}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'in order',
    );
  });

  it('--nodes N runs a generated ring', async () => {
    const lines: string[] = [];
    const r = await demoCommand({ exit: true, port: 0, nodes: 5 }, { env: {}, out: (l) => lines.push(l) });
    assert.equal(r.nodes.length, 5);
    assert.equal(
      r.apply.plan.summary.add,
      20,
      'a 5-ring has 5 links, 2 directions each, a sensors and a canary doc each',
    );
    assert.match(lines.join('\n'), /every reading is on all 5 nodes/);
  });

  it('withUrls rewrites node URLs only (not longer ports sharing a prefix); ringMesh validates', () => {
    const text = 'a: http://127.0.0.1:25984\nb: http://127.0.0.1:259840\n';
    assert.equal(
      withUrls(text, [{ from: 'http://127.0.0.1:25984', to: 'http://127.0.0.1:1' }]),
      'a: http://127.0.0.1:1\nb: http://127.0.0.1:259840\n',
    );
    const v = validateMesh(ringMesh(6, 30000));
    assert.equal(v.ok, true, JSON.stringify(v.diagnostics));
    assert.equal(v.spec?.links.length, 6);
    assert.equal(v.spec?.nodes[5]?.url, 'http://127.0.0.1:30005');
  });

  it('refuses a node count outside 2..32', async () => {
    await assert.rejects(demoCommand({ nodes: 1 }, { env: {}, out: () => {} }), /--nodes expects 2\.\.32/);
  });
});
