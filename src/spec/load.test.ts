import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isCouchmeshError } from '../core/errors.ts';
import { loadMeshFile, meshFilePath } from './load.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const env = { COUCHMESH_PASSWORD: 'x', GW1_PASSWORD: 'x', GW2_PASSWORD: 'x' };

describe('loading mesh files', () => {
  it('every example validates (references unchecked) with no problems', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 4);
    for (const f of files) {
      const r = loadMeshFile(join(examples, f), { env, checkReferences: false });
      assert.deepEqual(r.diagnostics, [], f);
      assert.ok(r.spec, f);
    }
  });

  it("the seed mesh: n1..n4 on 127.0.0.1:25984..25987, 'sensors', the seed's five cellular links", () => {
    const r = loadMeshFile(join(examples, 'seed-mesh.yaml'), { env, checkReferences: true });
    assert.deepEqual(r.diagnostics, []);
    const s = r.spec!;
    assert.equal(s.mesh, 'seed');
    assert.deepEqual(
      s.nodes.map((n) => [n.name, n.url, n.auth?.password_env]),
      [
        ['n1', 'http://127.0.0.1:25984', 'COUCHMESH_PASSWORD'],
        ['n2', 'http://127.0.0.1:25985', 'COUCHMESH_PASSWORD'],
        ['n3', 'http://127.0.0.1:25986', 'COUCHMESH_PASSWORD'],
        ['n4', 'http://127.0.0.1:25987', 'COUCHMESH_PASSWORD'],
      ],
    );
    assert.deepEqual(
      s.databases.map((d) => d.name),
      ['sensors'],
    );
    assert.deepEqual(
      s.links.map((l) => l.nodes.join('<->')),
      ['n1<->n2', 'n2<->n3', 'n3<->n1', 'n3<->n4', 'n4<->n2'],
    );
    for (const l of s.links) {
      assert.equal(l.class, 'cellular');
      assert.ok(l.params.checkpoint_interval >= 5000 && l.params.checkpoint_interval <= 15000);
    }
  });

  it('the variants: full mesh generator, star with a relay, NAT gateways', () => {
    const load = (f: string) => loadMeshFile(join(examples, f), { env, checkReferences: false }).spec!;
    const full = load('full-mesh.yaml');
    assert.equal(full.links.length, 10);
    assert.deepEqual(full.links.find((l) => l.key === 'n4--n5')?.databases, ['sensors']);
    const star = load('star-relay.yaml');
    assert.equal(star.nodes.find((n) => n.role === 'relay')?.name, 'depot');
    assert.equal(star.links.find((l) => l.key === 'depot--s4')?.class, 'lorawan');
    const nat = load('nat-edge.yaml');
    assert.deepEqual(
      nat.nodes.filter((n) => !n.reachable).map((n) => n.name),
      ['gw1', 'gw2'],
    );
    assert.ok(!nat.links.some((l) => l.key === 'gw1--gw2'));
    assert.match(nat.nodes[0]!.auth!.password_file!, /examples\/secrets\/hub\.password$/);
  });

  it('resolves references against the file folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-load-'));
    writeFileSync(join(dir, 'pw'), 'x\n');
    writeFileSync(
      join(dir, 'mesh.yaml'),
      'mesh: t\nnodes:\n  a: { url: http://a, auth: { username: u, password_file: pw } }\n  b: { url: http://b }\ndatabases: [d]\nlinks: [[a, b]]\n',
    );
    const r = loadMeshFile(join(dir, 'mesh.yaml'), { env: {}, checkReferences: true });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.spec?.nodes[0]?.auth?.password_file, join(dir, 'pw'));
  });

  it('a missing file is a user error with a hint', () => {
    const e = (() => {
      try {
        loadMeshFile('/nonexistent/mesh.yaml', { env: {}, checkReferences: false });
      } catch (x) {
        return x;
      }
    })();
    assert.ok(isCouchmeshError(e));
    assert.equal(e.code, 'E_MESH_NOT_FOUND');
    assert.match(e.hint ?? '', /couchmesh init/);
  });

  it('default file: -f, then COUCHMESH_FILE, then ./mesh.yaml', () => {
    assert.equal(meshFilePath('a.yaml', { COUCHMESH_FILE: 'b.yaml' }), 'a.yaml');
    assert.equal(meshFilePath(undefined, { COUCHMESH_FILE: 'b.yaml' }), 'b.yaml');
    assert.equal(meshFilePath(undefined, {}), 'mesh.yaml');
  });
});
