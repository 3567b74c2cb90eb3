/**
 * Verify of one database across nodes (Merkle-style anti-entropy, as Cassandra's repair or
 * Dynamo's): pass 1 streams every node's `_changes?style=all_docs` into fixed bucket digests, all
 * nodes at once; pass 2 runs only when a pair's digests differ, re-reads the nodes of those pairs
 * and keeps just the documents of differing buckets (in rounds bounded by `maxHeld`), then diffs
 * them per pair. Memory: one page per node, the digests, and at most one round of documents.
 */
import { isCouchError } from '../couch/errors.ts';
import { isNodeFailure } from '../plan/node-failure.ts';
import { BucketDigests, DEFAULT_BUCKETS, differingBuckets, planRounds } from './buckets.ts';
import { diffMaps, divergentCount, emptyTally, type PairTally, type RepairIds, tally } from './compare.ts';
import { bucketOf, type DocLeaves } from './digest.ts';
import { type ChangesSource, readAllDocsChanges } from './reader.ts';

export interface VerifyNode {
  name: string;
  client: ChangesSource;
}

export interface VerifyProgress {
  db: string;
  node: string;
  pass: 1 | 2;
  /** rows read on this node in this pass (round) so far */
  docs: number;
}

export interface DbVerifyOptions {
  db: string;
  nodes: readonly VerifyNode[];
  /** the node pairs to compare (names of `nodes`) */
  pairs: ReadonlyArray<readonly [string, string]>;
  buckets?: number;
  /** `_changes` rows per page */
  pageSize: number;
  /** documents pass 2 may hold at once (summed over nodes) */
  maxHeld: number;
  /** ids listed per kind and pair */
  firstN: number;
  /** keep every differing id per direction (for a repair) */
  collectRepair?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
}

export interface NodeRead {
  node: string;
  /** `no-db`: the database does not exist there (compared as empty) */
  state: 'ok' | 'unreachable' | 'no-db';
  docs: number;
  error?: { code: string; message: string };
}

export interface PairResult extends PairTally {
  a: string;
  b: string;
  state: 'identical' | 'divergent' | 'not-compared';
  /** why a pair was not compared */
  reason?: string;
  /** buckets whose digests differed in pass 1 */
  differing_buckets: number;
  /** with `collectRepair`: every id each direction has to carry */
  repair?: RepairIds;
}

export interface DbVerifyStats {
  buckets: number;
  differing_buckets: number;
  /** pass-2 rounds (0: every compared pair was identical in pass 1) */
  rounds: number;
  pages: number;
  docs_read: number;
  max_page_rows: number;
  /** the most documents pass 2 held at once, over all nodes */
  max_held_docs: number;
}

export interface DbVerifyResult {
  db: string;
  nodes: NodeRead[];
  pairs: PairResult[];
  stats: DbVerifyStats;
}

type Outcome = { ok: true } | { ok: false; read: NodeRead };

export async function verifyDatabase(o: DbVerifyOptions): Promise<DbVerifyResult> {
  const nb = o.buckets ?? DEFAULT_BUCKETS;
  const stats: DbVerifyStats = {
    buckets: nb,
    differing_buckets: 0,
    rounds: 0,
    pages: 0,
    docs_read: 0,
    max_page_rows: 0,
    max_held_docs: 0,
  };
  const reads = new Map<string, NodeRead>(
    o.nodes.map((n) => [n.name, { node: n.name, state: 'ok', docs: 0 }]),
  );
  const read = async (n: VerifyNode, pass: 1 | 2, visit: (d: DocLeaves) => void): Promise<Outcome> => {
    try {
      const s = await readAllDocsChanges(
        n.client,
        o.db,
        {
          limit: o.pageSize,
          ...(o.signal ? { signal: o.signal } : {}),
          onPage: (docs) => o.onProgress?.({ db: o.db, node: n.name, pass, docs }),
        },
        visit,
      );
      stats.pages += s.pages;
      stats.docs_read += s.docs;
      stats.max_page_rows = Math.max(stats.max_page_rows, s.maxPageRows);
      return { ok: true };
    } catch (e) {
      return { ok: false, read: failedRead(n.name, e) };
    }
  };

  // pass 1: every node's digests, concurrently
  const digests = new Map<string, BucketDigests>();
  await Promise.all(
    o.nodes.map(async (n) => {
      const d = new BucketDigests(nb);
      const r = await read(n, 1, (doc) => d.add(doc));
      if (!r.ok) reads.set(n.name, r.read);
      if (r.ok || r.read.state === 'no-db') digests.set(n.name, r.ok ? d : new BucketDigests(nb));
      (reads.get(n.name) as NodeRead).docs = r.ok ? d.total : 0;
    }),
  );

  const pairs: PairResult[] = [];
  const differing = new Map<PairResult, Set<number>>();
  for (const [a, b] of o.pairs) {
    const p: PairResult = { a, b, state: 'identical', differing_buckets: 0, ...emptyTally() };
    pairs.push(p);
    const da = digests.get(a);
    const db = digests.get(b);
    if (!da || !db) {
      p.state = 'not-compared';
      p.reason = unreachableReason(reads, a, b);
      continue;
    }
    const diff = differingBuckets(da, db);
    p.differing_buckets = diff.length;
    if (o.collectRepair) p.repair = { aToB: [], bToA: [] };
    if (diff.length) differing.set(p, new Set(diff));
  }
  const all = new Set<number>();
  for (const s of differing.values()) for (const b of s) all.add(b);
  stats.differing_buckets = all.size;
  if (all.size)
    await passTwo(
      o,
      [...all].sort((x, y) => x - y),
      differing,
      digests,
      reads,
      read,
      stats,
    );
  for (const p of pairs)
    if (p.state !== 'not-compared') p.state = divergentCount(p) ? 'divergent' : 'identical';
  return { db: o.db, nodes: [...reads.values()], pairs, stats };
}

/** Pass 2: re-reads the nodes of differing pairs, a round of buckets at a time, and diffs them. */
async function passTwo(
  o: DbVerifyOptions,
  buckets: number[],
  differing: Map<PairResult, Set<number>>,
  digests: Map<string, BucketDigests>,
  reads: Map<string, NodeRead>,
  read: (n: VerifyNode, pass: 2, visit: (d: DocLeaves) => void) => Promise<Outcome>,
  stats: DbVerifyStats,
): Promise<void> {
  const involved = new Set<string>();
  for (const p of differing.keys()) involved.add(p.a).add(p.b);
  const sizeOf = (b: number) => {
    let n = 0;
    for (const name of involved) n += digests.get(name)?.counts[b] ?? 0;
    return n;
  };
  const nb = stats.buckets;
  for (const round of planRounds(buckets, sizeOf, o.maxHeld)) {
    stats.rounds++;
    const inRound = new Set(round);
    const held = new Map<string, Map<string, DocLeaves>>();
    await Promise.all(
      o.nodes
        .filter((n) => involved.has(n.name) && reads.get(n.name)?.state === 'ok')
        .map(async (n) => {
          const docs = new Map<string, DocLeaves>();
          // a later row of the same id is its newer state (see reader.ts)
          const r = await read(n, 2, (d) => inRound.has(bucketOf(d.id, nb)) && docs.set(d.id, d));
          if (r.ok) held.set(n.name, docs);
          else reads.set(n.name, r.read);
        }),
    );
    let total = 0;
    for (const m of held.values()) total += m.size;
    stats.max_held_docs = Math.max(stats.max_held_docs, total);
    for (const [p, set] of differing) {
      const ma = docsOf(held, reads, p.a);
      const mb = docsOf(held, reads, p.b);
      if (!ma || !mb) {
        p.state = 'not-compared';
        p.reason = unreachableReason(reads, p.a, p.b);
        continue;
      }
      const keep = (id: string) => {
        const b = bucketOf(id, nb);
        return inRound.has(b) && set.has(b);
      };
      for (const d of diffMaps(ma, mb, keep)) tally(p, d, o.firstN, p.repair);
    }
  }
}

const EMPTY = new Map<string, DocLeaves>();

/** A node's documents of the round: none when its database does not exist; undefined when unreadable. */
function docsOf(
  held: Map<string, Map<string, DocLeaves>>,
  reads: Map<string, NodeRead>,
  name: string,
): ReadonlyMap<string, DocLeaves> | undefined {
  return reads.get(name)?.state === 'no-db' ? EMPTY : held.get(name);
}

function unreachableReason(reads: Map<string, NodeRead>, a: string, b: string): string {
  const down = [a, b].filter((n) => reads.get(n)?.state === 'unreachable');
  return `${down.join(' and ')} unreachable`;
}

/** A failed read: a missing database (404), an unreachable node, or (anything else) a bug, rethrown. */
function failedRead(node: string, e: unknown): NodeRead {
  if (isCouchError(e) && e.status === 404) return { node, state: 'no-db', docs: 0 };
  if (isNodeFailure(e))
    return { node, state: 'unreachable', docs: 0, error: { code: e.code, message: e.message } };
  throw e;
}
