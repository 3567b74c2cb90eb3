import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CouchmeshError } from '../core/errors.ts';
import { meshLinks } from '../observe/links.ts';
import type { MeshSpec } from '../spec/types.ts';
import { validateMesh } from '../spec/validate.ts';
import { ringMesh } from './example-mesh.ts';
import { MeshInvalidError, openMesh, selectLink, withMesh } from './mesh.ts';

const spec = (text: string) => validateMesh(text).spec as MeshSpec;
const twoDbs = `mesh: t
nodes:
  a: { url: "http://127.0.0.1:1" }
  b: { url: "http://127.0.0.1:2" }
databases: [sensors, logs]
links:
  - [a, b]
`;
const code = (c: string) => (e: unknown) => e instanceof CouchmeshError && e.code === c;

describe('ops mesh: selectLink', () => {
  const ring = meshLinks(spec(ringMesh(3, 30000)));

  it('names a link either way round (a--b, b--a, a<->b, a,b); both directions unless one is chosen', () => {
    for (const name of ['n1--n2', 'n2--n1', 'n1<->n2', 'n2,n1']) {
      const s = selectLink(ring, { link: name });
      assert.equal(s.link.link, 'n1--n2');
      assert.deepEqual(
        s.directions.map((d) => `${d.from}->${d.to}`),
        ['n1->n2', 'n2->n1'],
      );
    }
    const one = selectLink(ring, { link: 'n1--n2', direction: 'n2 -> n1' });
    assert.deepEqual(
      one.directions.map((d) => `${d.from}->${d.to}`),
      ['n2->n1'],
    );
  });

  it('refuses what the mesh does not have, with a coded error naming the choices', () => {
    assert.throws(() => selectLink(ring, { link: 'n1--n9' }), code('E_NO_SUCH_LINK'));
    assert.throws(() => selectLink(ring, { link: 'n1--n2', db: 'logs' }), code('E_NO_SUCH_DB'));
    assert.throws(
      () => selectLink(ring, { link: 'n1--n2', direction: 'n1->n3' }),
      code('E_NO_SUCH_DIRECTION'),
    );
  });

  it('a link carrying several databases needs db', () => {
    const links = meshLinks(spec(twoDbs));
    assert.throws(() => selectLink(links, { link: 'a--b' }), code('E_DB_REQUIRED'));
    assert.equal(selectLink(links, { link: 'a--b', db: 'logs' }).link.db, 'logs');
  });
});

describe('ops mesh: openMesh / withMesh', () => {
  it('an invalid mesh: openMesh returns the diagnostics; withMesh throws MeshInvalidError carrying them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-ops-mesh-'));
    try {
      const file = join(dir, 'mesh.yaml');
      writeFileSync(file, 'mesh: t\nnodes: {}\n');
      const r = openMesh({ file }, { env: {} });
      assert.equal(r.ok, false);
      let ran = false;
      await assert.rejects(
        withMesh({ file }, { env: {} }, async () => {
          ran = true;
        }),
        (e: unknown) =>
          e instanceof MeshInvalidError &&
          e.code === 'E_MESH_INVALID' &&
          e.kind === 'user' &&
          e.validation.diagnostics.length > 0,
      );
      assert.equal(ran, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a valid mesh: one client per node, the links, thresholds; closed after withMesh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-ops-mesh-'));
    try {
      const file = join(dir, 'mesh.yaml');
      writeFileSync(file, twoDbs);
      const seen = await withMesh({ file }, { env: {} }, async (m) => ({
        clients: [...m.clients.keys()],
        links: m.links.map((l) => `${l.link} ${l.db}`),
        interval: m.thresholds.pollIntervalMs > 0,
      }));
      assert.deepEqual(seen, { clients: ['a', 'b'], links: ['a--b sensors', 'a--b logs'], interval: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
