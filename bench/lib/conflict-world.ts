// The world of the conflict benchmark: the server (an embedded node in its own process, or any CouchDB
// via COUCH_URL), the conflicted documents, and fresh databases to measure in.
import { join } from 'node:path';
import { CouchClient, dbPath, isCouchError } from '../../src/couch/index.ts';
import type { FetchedLeaf } from '../../src/resolve/index.ts';
import { processCpuUs, spawnChild, tempFolder } from './process.ts';

export const LEAVES = 3;

export interface Target {
  label: string;
  url: string;
  /** Admin credentials (COUCH_ADMIN_USER / COUCH_ADMIN_PASSWORD, as the conformance suite reads them). */
  auth?: { username: string; password: string };
  client: CouchClient;
  /** Server CPU (µs) so far, when the server is our own child process; NaN otherwise. */
  cpuUs(): number;
  close(): Promise<void>;
}

/**
 * COUCH_URL (+ admin credentials) names any server; by default an embedded node in its own process,
 * with its data on disk (`synchronous=FULL`, fsync per commit) as a CouchDB node keeps it: a
 * per-document resolver then pays one durable commit per document, as it does on CouchDB.
 * `inMemory` measures the node without the disk.
 */
export async function startTarget(o: { inMemory: boolean }): Promise<Target> {
  const url = process.env.COUCH_URL;
  if (url) {
    const user = process.env.COUCH_ADMIN_USER;
    const auth = user ? { username: user, password: process.env.COUCH_ADMIN_PASSWORD ?? '' } : undefined;
    if (user && process.env.COUCH_ADMIN_PASSWORD === undefined)
      throw new Error('COUCH_ADMIN_USER is set: COUCH_ADMIN_PASSWORD must be set too');
    const client = new CouchClient({ url, auth, timeoutMs: 120_000 });
    const info = await client.serverInfo();
    return {
      label: `${url} (${info.vendor?.name ?? 'CouchDB'} ${info.version})`,
      url,
      ...(auth ? { auth } : {}),
      client,
      cpuUs: () => Number.NaN,
      close: () => client.close(),
    };
  }
  const storage = o.inMemory
    ? ['--in-memory']
    : ['--data', join(tempFolder('couchmesh-bench-conflicts-'), 'node')];
  const auth = { username: 'admin', password: 'bench' };
  const child = await spawnChild([
    '--import',
    'tsx',
    'bench/node-launcher.mjs',
    'src/node/index.ts',
    ...storage,
    '--admin',
    `${auth.username}:${auth.password}`,
  ]);
  const client = new CouchClient({ url: child.url, auth, timeoutMs: 120_000 });
  return {
    label: `embedded node in its own process, ${o.inMemory ? 'in memory' : 'data on disk (fsync per commit)'}`,
    url: child.url,
    auth,
    client,
    cpuUs: () => processCpuUs(child.pid),
    async close() {
      await client.close();
      await child.close();
    },
  };
}

// Leaf l of doc i; which leaf carries the latest updated_at varies, so about two thirds of the
// resolutions write a merged revision (3 revisions) and one third only deletes (2 revisions).
const hash = (i: number, l: number) =>
  `${(i * LEAVES + l).toString(16).padStart(24, '0')}${'0'.repeat(6)}${l.toString(16).padStart(2, '0')}`;
export const docId = (i: number) => `reading-${String(i).padStart(6, '0')}`;
const body = (i: number, l: number) => ({
  type: 'reading',
  station: `st-${i % 50}`,
  seq: i,
  temperature_c: 20 + ((i * 7 + l * 3) % 100) / 10,
  updated_at: new Date(Date.UTC(2024, 0, 1) + ((i + l * 2) % LEAVES) * 1000).toISOString(),
});

export function leavesOf(i: number): FetchedLeaf[] {
  return Array.from({ length: LEAVES }, (_, l) => ({
    rev: `1-${hash(i, l)}`,
    deleted: false,
    body: body(i, l),
  }));
}

/** A fresh database with `n` documents of LEAVES conflicting leaves each (`_bulk_docs new_edits:false`). */
export async function populate(client: CouchClient, db: string, n: number): Promise<void> {
  await client.put(dbPath(db));
  for (let from = 0; from < n; from += 1000) {
    const docs = [];
    for (let i = from; i < Math.min(n, from + 1000); i++)
      for (const leaf of leavesOf(i)) {
        const h = leaf.rev.slice(2);
        docs.push({ _id: docId(i), _rev: leaf.rev, _revisions: { start: 1, ids: [h] }, ...leaf.body });
      }
    const r = await client.post<Array<{ error?: string }>>(
      `${dbPath(db)}/_bulk_docs`,
      { docs, new_edits: false },
      undefined,
      { idempotent: true },
    );
    if (r.some((x) => x.error)) throw new Error(`populate ${db}: ${JSON.stringify(r.find((x) => x.error))}`);
  }
}

export async function drop(client: CouchClient, db: string): Promise<void> {
  await client.delete(dbPath(db)).catch((e) => {
    if (!isCouchError(e) || e.status !== 404) throw e;
  });
}
