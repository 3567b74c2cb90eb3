// Must show: `resolveMeshDatabase` reads the mesh (node URLs, credentials, the database's `conflicts:`
// block) and, run on every node with no replication between them, resolves the same conflicts on each
// independently with the same revisions: once the nodes replicate, every document has one leaf, the
// same on both, and the audit entries merge without a conflict.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type MeshResolveEvent,
  meshConflictCounts,
  resolveMeshDatabase,
  undoMeshResolution,
} from '../../src/ops/conflicts-mesh.ts';
import { MeshInvalidError, openMesh } from '../../src/ops/mesh.ts';
import { listAuditEntries, type ResolutionEntry } from '../../src/resolve/index.ts';
import {
  ADMIN,
  converged,
  createDb,
  linkAll,
  startTestNode,
  type TestNode,
  winners,
  writeConflicts,
} from './helpers.ts';

const DB = 'sensors';
const AUDIT = 'couchmesh_audit';
const N = 60;

describe('resolving a mesh database on every node', () => {
  const nodes: TestNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-resolve-mesh-'));
  const file = join(dir, 'mesh.yaml');
  const env = { CM_RESOLVE_PW: ADMIN.password };
  before(async () => {
    for (const name of ['a', 'b']) nodes.push(await startTestNode(name));
    const auth = `{ username: ${ADMIN.username}, password_env: CM_RESOLVE_PW }`;
    writeFileSync(
      file,
      `mesh: conv\nnodes:\n${nodes.map((n) => `  ${n.name}: { url: "${n.url}", auth: ${auth} }\n`).join('')}` +
        'databases:\n  - name: sensors\n    conflicts: { strategy: lww, timestamp: updated_at, batch_size: 7, concurrency: 2 }\n' +
        '  - events\nlinks: [[a, b]]\n',
    );
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const open = () => {
    const r = openMesh({ file }, { env });
    if (!r.ok) throw new MeshInvalidError(r.validation);
    return r.mesh;
  };

  it('converges: the same revisions on both nodes, one leaf per doc after replication', async () => {
    const [a, b] = nodes as [TestNode, TestNode];
    // the same conflicts on both nodes, as replication would have brought them; ties on updated_at too
    for (const n of nodes) {
      await createDb(n, DB);
      await writeConflicts(n, DB, N, 3, (i, l) => ({ v: `${i}.${l}`, updated_at: (i * 3 + l * 5) % 4 }));
    }
    const mesh = open();
    const events: MeshResolveEvent[] = [];
    try {
      assert.deepEqual(await meshConflictCounts(mesh, { db: DB }), { a: N, b: N });
      const r = await resolveMeshDatabase(mesh, { db: DB }, {}, (e) => events.push(e));
      assert.deepEqual(r.counts, { resolved: 2 * N, declined: 0, failed: 0 });
      assert.deepEqual(r.conflicted, { a: 0, b: 0 });
      assert.equal(r.resolutions.length, 2 * N);
      assert.deepEqual(new Set(events.map((e) => e.node)), new Set(['a', 'b']));
      // each resolution has one audit id and one winner, whichever node computed it
      const byDoc = new Map<string, Set<string>>();
      for (const s of r.resolutions)
        byDoc.set(s.doc_id, (byDoc.get(s.doc_id) ?? new Set()).add(`${s.winner} ${s.audit_id}`));
      assert.ok(
        [...byDoc.values()].every((s) => s.size === 1),
        'both nodes resolved to the same revision',
      );
    } finally {
      await mesh.close();
    }
    const before = [await winners(a, DB), await winners(b, DB)];
    assert.deepEqual([...(before[0] ?? [])].sort(), [...(before[1] ?? [])].sort());

    await linkAll(nodes, [DB, AUDIT]);
    const leaves = await converged(nodes, DB);
    await converged(nodes, AUDIT);
    for (const n of nodes) {
      const w = await winners(n, DB);
      assert.equal(w.size, N);
      assert.ok(
        [...w.values()].every((x) => x.conflicts.length === 0),
        `no conflict on ${n.name}`,
      );
      // each node recorded every resolution in a batch of its own: read once, one per document
      const entries = await listAuditEntries(n.client, AUDIT);
      assert.equal(entries.length, N, 'one audit entry per resolution, shared by both nodes');
      assert.equal(new Set(entries.map((e) => e.doc_id)).size, N);
      assert.ok(
        [...(await winners(n, AUDIT)).values()].every((x) => x.conflicts.length === 0),
        'audit documents merge',
      );
    }
    // the tombstones merged too: 3 leaves per doc (one live, two deleted), as after one resolver
    assert.ok([...leaves.values()].every((revs) => revs.length === 3));

    // undo through the mesh, as the controller's command does it: once, then a no-op
    const mesh2 = open();
    try {
      assert.deepEqual(await meshConflictCounts(mesh2, { db: DB }), { a: 0, b: 0 });
      const resolution = (await listAuditEntries(a.client, AUDIT)).find(
        (e): e is ResolutionEntry => e.type === 'couchmesh.resolution' && e.doc_id === 'doc-0001',
      ) as ResolutionEntry;
      const entry = resolution._id;
      const undo = await undoMeshResolution(mesh2, { db: DB, auditId: entry, rev: undefined }, {}).catch(
        (e: { code?: string }) => e,
      );
      // lww kept one leaf's body and deleted two: which one to restore must be said
      assert.equal((undo as { code?: string }).code, 'E_UNDO_REV');
      const rev = resolution.losers.find((l) => !l.won)?.rev;
      const first = await undoMeshResolution(mesh2, { db: DB, auditId: entry, rev }, {});
      assert.equal(first.node, 'a');
      assert.equal(first.alreadyUndone, undefined);
      const second = await undoMeshResolution(mesh2, { db: DB, auditId: entry, rev }, {});
      assert.ok(second.alreadyUndone, 'a second undo writes nothing');
      assert.equal(second.newRev, first.newRev);
    } finally {
      await mesh2.close();
    }
  });

  it('acts on one node by name; unknown nodes, databases and missing blocks are user errors', async () => {
    const mesh = open();
    try {
      const r = await resolveMeshDatabase(mesh, { db: DB, node: 'b', dryRun: true }, {});
      assert.deepEqual(
        r.nodes.map((n) => n.node),
        ['b'],
      );
      assert.equal(r.counts.resolved, 0);
      await assert.rejects(resolveMeshDatabase(mesh, { db: DB, node: 'c' }, {}), {
        code: 'E_CONFLICTS_NODE',
        message: /no node 'c'/,
      });
      await assert.rejects(resolveMeshDatabase(mesh, { db: 'sensor' }, {}), {
        code: 'E_CONFLICTS_NODE',
        hint: "did you mean 'sensors'?",
      });
      await assert.rejects(resolveMeshDatabase(mesh, { db: 'events' }, {}), { code: 'E_CONFLICTS_CONFIG' });
    } finally {
      await mesh.close();
    }
  });

  it('a node that is away is reported; the others are resolved', async () => {
    const away = join(dir, 'away.yaml');
    const auth = `{ username: ${ADMIN.username}, password_env: CM_RESOLVE_PW }`;
    writeFileSync(
      away,
      `mesh: away\nnodes:\n  a: { url: "${nodes[0]?.url}", auth: ${auth} }\n  z: { url: "http://127.0.0.1:9", auth: ${auth} }\n` +
        'databases:\n  - { name: sensors, conflicts: { strategy: lww } }\nlinks: [[a, z]]\n',
    );
    const r = openMesh({ file: away }, { env, client: { retries: 0 } });
    if (!r.ok) throw new MeshInvalidError(r.validation);
    try {
      const out = await resolveMeshDatabase(r.mesh, { db: DB }, {});
      const z = out.nodes.find((n) => n.node === 'z');
      assert.ok(z?.error, 'z is reported with its error');
      assert.equal(out.nodes.find((n) => n.node === 'a')?.error, undefined);
    } finally {
      await r.mesh.close();
    }
  });
});
