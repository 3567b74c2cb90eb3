// Shared helpers of the conflict-resolution tests: embedded nodes with a CouchClient each, continuous
// `_replicator` links (delete them = partition, recreate = heal), conflict builders and bounded polling.

import { after, before } from 'node:test';
import { CouchClient, dbPath, docPath, isCouchError } from '../../src/couch/index.ts';
import { startNode } from '../../src/node/index.ts';

export const ADMIN = { username: 'admin', password: 'admin' } as const;

export interface TestNode {
  name: string;
  url: string;
  client: CouchClient;
  close(): Promise<void>;
}

export async function startTestNode(name: string): Promise<TestNode> {
  const node = await startNode({ port: 0, inMemory: true, admins: { admin: ADMIN.password } });
  const client = new CouchClient({ url: node.url, auth: { ...ADMIN }, retries: 2 });
  for (const [k, v] of Object.entries({ startup_jitter: '0', backoff_base_msec: '100' }))
    await client.put(`/_node/_local/_config/replicator/${k}`, JSON.stringify(v));
  return {
    name,
    url: node.url,
    client,
    async close() {
      await client.close();
      await node.close();
    },
  };
}

/** One node for the suite it is called in: started before its tests, closed after them. */
export function suiteNode(name: string): () => TestNode {
  let node: TestNode | undefined;
  before(async () => {
    node = await startTestNode(name);
  });
  after(async () => {
    await node?.close();
  });
  return () => node as TestNode;
}

export async function createDb(n: TestNode, db: string): Promise<void> {
  try {
    await n.client.put(dbPath(db));
  } catch (e) {
    if (!(isCouchError(e) && e.status === 412)) throw e;
  }
}

const repId = (from: TestNode, to: TestNode, db: string) => `link-${db}-${from.name}-to-${to.name}`;

/** A continuous pull replication `from` -> `to` of `db`, kept on the target node. */
export async function link(from: TestNode, to: TestNode, db: string): Promise<void> {
  const endpoint = (n: TestNode) => ({
    url: `${n.url}/${db}`,
    auth: { basic: { username: ADMIN.username, password: ADMIN.password } },
  });
  await to.client.put(docPath('_replicator', repId(from, to, db)), {
    source: endpoint(from),
    target: endpoint(to),
    continuous: true,
    create_target: true,
  });
}

/** Deletes the replication doc: the link is down (a partition). */
export async function unlink(from: TestNode, to: TestNode, db: string): Promise<void> {
  const path = docPath('_replicator', repId(from, to, db));
  const doc = await to.client.get<{ _rev: string }>(path);
  await to.client.delete(path, { rev: doc._rev });
}

/** Every pair both ways, for each db. */
export async function linkAll(nodes: TestNode[], dbs: string[], down = false): Promise<void> {
  for (const a of nodes)
    for (const b of nodes)
      if (a !== b) for (const db of dbs) await (down ? unlink(a, b, db) : link(a, b, db));
}

/** doc id -> every leaf rev (deleted ones too), sorted; from `_changes?style=all_docs`. */
export async function leafSets(n: TestNode, db: string): Promise<Map<string, string[]>> {
  const res = await n.client.changes({ db, style: 'all_docs' });
  return new Map(res.results.map((r) => [r.id, r.changes.map((c) => c.rev).sort()]));
}

/** doc id -> winner rev and `_conflicts` (live losing leaves). */
export async function winners(
  n: TestNode,
  db: string,
): Promise<Map<string, { rev: string; conflicts: string[] }>> {
  const res = await n.client.get<{
    rows: Array<{ id: string; doc: { _rev: string; _conflicts?: string[] } }>;
  }>(`${dbPath(db)}/_all_docs`, { include_docs: true, conflicts: true });
  return new Map(res.rows.map((r) => [r.id, { rev: r.doc._rev, conflicts: r.doc._conflicts ?? [] }]));
}

export const sameMaps = (a: Map<string, unknown>, b: Map<string, unknown>) =>
  JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` with the last value seen. */
export async function poll<T>(
  label: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 20_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label} (${String(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls until every node holds the same leaf set for every doc of `db`. */
export function converged(nodes: TestNode[], db: string, timeoutMs = 20_000): Promise<Map<string, string[]>> {
  return poll(
    `${db} identical on ${nodes.map((n) => n.name).join(', ')}`,
    async () => {
      const sets = await Promise.all(nodes.map((n) => leafSets(n, db)));
      return sets.every((s) => sameMaps(s, sets[0] as Map<string, string[]>)) ? sets[0] : undefined;
    },
    { timeoutMs },
  );
}

const hex = (i: number, leaf: number) =>
  (i * 7 + leaf).toString(16).padStart(30, '0') + leaf.toString(16).padStart(2, '0');

/**
 * `n` documents `<prefix>-<i>` with `leaves` conflicting revisions each, written with `new_edits:false`
 * (as replication would bring them); `body(i, leaf)` gives each leaf's body.
 */
export async function writeConflicts(
  node: TestNode,
  db: string,
  n: number,
  leaves: number,
  body: (i: number, leaf: number) => Record<string, unknown>,
  prefix = 'doc',
): Promise<void> {
  const docs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++)
    for (let l = 0; l < leaves; l++) {
      const h = hex(i, l);
      docs.push({
        _id: `${prefix}-${String(i).padStart(4, '0')}`,
        _rev: `1-${h}`,
        _revisions: { start: 1, ids: [h] },
        ...body(i, l),
      });
    }
  const r = await node.client.post<Array<{ error?: string }>>(`${dbPath(db)}/_bulk_docs`, {
    docs,
    new_edits: false,
  });
  if (r.some((x) => x.error)) throw new Error(`writeConflicts: ${JSON.stringify(r.slice(0, 3))}`);
}
