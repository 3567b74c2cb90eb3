// The embedded node's read paths the conflict resolver uses (a program, not a test):
//   npm run bench:node-reads -- [--rounds=15] [--docs=2000] [--json] [--digest] [--profile]
//
// One node in its own process, data on disk. Three databases: `conflicted` (docs x 3 conflicting leaves,
// written as the conflict bench writes them), `resolved` (the same after a resolution: one merged leaf
// and two tombstones) and `plain` (one leaf each). Each round reads, as the resolver does, the
// `_changes?style=all_docs` pages of 500 and `_bulk_get` {docs:[{id}]} batches of 500 (open_revs=all),
// and the figures are the node's CPU (/proc schedstat) per document, median over the rounds.
// Beside each figure, its floor: the same rows read straight from the database files in this process (the
// node's own DbStore readers, no HTTP, no JSON), and the ratio node / floor.
// `--digest` prints a sha256 of every answer (the database's instance token removed from seqs), so two
// trees can be checked to answer byte for byte the same.
// `--profile` runs the node under `--cpu-prof` and prints its top functions over the reads instead.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { DbStore } from '../src/node/index.ts';
import { docId, LEAVES, leavesOf } from './lib/conflict-world.ts';
import { emitFigures, fig } from './lib/emit.ts';
import { loadNote, median } from './lib/format.ts';
import { processCpuUs, spawnChild, tempFolder } from './lib/process.ts';
import { type CpuProfile, summariseProfile } from './lib/profile.ts';

const arg = (name: string, dflt: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
};
const ROUNDS = arg('rounds', 15);
const DOCS = arg('docs', 2000);
const PAGE = 500;

const PROFILE = process.argv.includes('--profile');
const tmp = tempFolder('couchmesh-bench-reads-');
const profDir = join(tmp, 'prof');
const node = await spawnChild([
  ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '200'] : []),
  '--import',
  'tsx',
  'bench/node-launcher.mjs',
  'src/node/index.ts',
  '--data',
  join(tmp, 'node'),
  '--admin',
  'admin:bench',
]);
const auth = `Basic ${Buffer.from('admin:bench').toString('base64')}`;
const agent = new Agent({ connections: 1 });

async function call(method: string, path: string, body?: unknown): Promise<string> {
  const res = await request(`${node.url}${path}`, {
    method: method as 'GET',
    dispatcher: agent,
    headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
  return text;
}

async function fill(db: string, docsOf: (i: number) => unknown[]): Promise<void> {
  await call('PUT', `/${db}`);
  for (let from = 0; from < DOCS; from += 1000) {
    const docs = [];
    for (let i = from; i < Math.min(DOCS, from + 1000); i++) docs.push(...docsOf(i));
    await call('POST', `/${db}/_bulk_docs`, { docs, new_edits: false });
  }
}

const leafDocs = (i: number) =>
  leavesOf(i).map((l) => ({
    _id: docId(i),
    _rev: l.rev,
    _revisions: { start: 1, ids: [l.rev.slice(2)] },
    ...l.body,
  }));
// a resolution: the first leaf extended with the merged body, the others deleted
const resolvedDocs = (i: number) => {
  const ls = leavesOf(i);
  const h = (l: number) => ls[l]!.rev.slice(2);
  const merged = { _id: docId(i), _rev: `2-${'e'.repeat(8)}${h(0).slice(8)}`, ...ls[0]!.body, merged: true };
  return [
    ...leafDocs(i),
    { ...merged, _revisions: { start: 2, ids: [merged._rev.slice(2), h(0)] } },
    ...[1, 2].map((l) => ({
      _id: docId(i),
      _rev: `2-${'d'.repeat(8)}${h(l).slice(8)}`,
      _deleted: true,
      _revisions: { start: 2, ids: [`${'d'.repeat(8)}${h(l).slice(8)}`, h(l)] },
    })),
  ];
};
const plainDocs = (i: number) => [
  { _id: docId(i), _rev: `1-${'a'.repeat(24)}${String(i).padStart(8, '0')}`, ...leavesOf(i)[0]!.body },
];

await fill('conflicted', leafDocs);
await fill('resolved', resolvedDocs);
await fill('plain', plainDocs);

const ids = Array.from({ length: DOCS }, (_, i) => docId(i));
const digests = new Map<string, ReturnType<typeof createHash>>();
const digest = (k: string, text: string) => {
  const h = digests.get(k) ?? createHash('sha256');
  digests.set(k, h);
  h.update(text.replace(/-g1AAAA[A-Za-z0-9_]{22}/g, '-X'));
};

async function changes(db: string): Promise<void> {
  let since = '0';
  for (;;) {
    const text = await call('GET', `/${db}/_changes?style=all_docs&limit=${PAGE}&since=${since}`);
    digest(`changes ${db}`, text);
    const page = JSON.parse(text) as { results: unknown[]; last_seq: string };
    if (page.results.length < PAGE) return;
    since = page.last_seq;
  }
}
async function bulkGet(db: string): Promise<void> {
  for (let i = 0; i < ids.length; i += PAGE)
    digest(
      `bulk_get ${db}`,
      await call('POST', `/${db}/_bulk_get`, { docs: ids.slice(i, i + PAGE).map((id) => ({ id })) }),
    );
}

// the floors: what each request reads, from the file (the node closed, its WAL folded back in)
function changesFloor(store: DbStore): void {
  for (let since = 0; ; ) {
    const rows = store.bySeqHeads(since, PAGE);
    store.countAfter(rows.at(-1)?.seq ?? since);
    if (rows.length < PAGE) return;
    since = rows.at(-1)?.seq ?? since;
  }
}
function bulkGetFloor(store: DbStore): void {
  for (let i = 0; i < ids.length; i += PAGE)
    store.readTransaction(() => {
      const pairs: Array<[string, string]> = [];
      for (const h of store.getDocHeads(ids.slice(i, i + PAGE)))
        if (h?.leaves) for (const rev of JSON.parse(h.leaves) as string[]) pairs.push([h.id, rev]);
      store.getRevs(pairs);
    });
}

const parts: Array<[string, () => Promise<void>, (s: (db: string) => DbStore) => void]> = [
  [`changes, ${LEAVES} leaves`, () => changes('conflicted'), (s) => changesFloor(s('conflicted'))],
  ['changes, resolved', () => changes('resolved'), (s) => changesFloor(s('resolved'))],
  ['changes, 1 leaf', () => changes('plain'), (s) => changesFloor(s('plain'))],
  [`bulk_get, ${LEAVES} leaves`, () => bulkGet('conflicted'), (s) => bulkGetFloor(s('conflicted'))],
  ['bulk_get, resolved', () => bulkGet('resolved'), (s) => bulkGetFloor(s('resolved'))],
];
const per = new Map<string, number[]>();
for (let r = 0; r <= ROUNDS; r++)
  for (const [name, run] of parts) {
    const c0 = processCpuUs(node.pid);
    await run();
    // round 0 warms the JIT up and is not reported
    if (r > 0) per.set(name, [...(per.get(name) ?? []), (processCpuUs(node.pid) - c0) / DOCS]);
  }
await agent.close();
await node.close();
const stores = new Map<string, DbStore>();
const storeOf = (db: string) => {
  const s = stores.get(db) ?? new DbStore(join(tmp, 'node', `${db}.couch.sqlite`));
  stores.set(db, s);
  return s;
};
const floors = new Map<string, number[]>();
for (let r = 0; r <= ROUNDS && !PROFILE; r++)
  for (const [name, , floor] of parts) {
    const c0 = process.cpuUsage();
    floor(storeOf);
    const c = process.cpuUsage(c0);
    if (r > 0) floors.set(name, [...(floors.get(name) ?? []), (c.user + c.system) / DOCS]);
  }
for (const s of stores.values()) s.close();
if (PROFILE) {
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(profDir, files[0]!), 'utf8')) as CpuProfile;
  summariseProfile(profile, 'node read paths', {
    label: 'changes + bulk_get',
    contains: (s) => s.some((n) => /^(changes|bulkGet)$/.test(n.callFrame.functionName)),
  });
  process.exit(0);
}

console.log(`node read paths, ${DOCS} docs, pages of ${PAGE}, median of ${ROUNDS} rounds; ${loadNote()}`);
const floorOf = (name: string) => median(floors.get(name) ?? [Number.NaN]);
for (const [name, xs] of per)
  console.log(
    `${name.padEnd(22)} ${median(xs).toFixed(1).padStart(6)} us/doc server CPU (min ${Math.min(...xs).toFixed(1)}); floor ${floorOf(name).toFixed(1)} us/doc, ${(median(xs) / floorOf(name)).toFixed(1)}x`,
  );
if (process.argv.includes('--digest'))
  for (const [k, h] of digests) console.log(`digest ${k.padEnd(22)} ${h.digest('hex').slice(0, 16)}`);
emitFigures({
  bench: 'node-reads',
  figures: [...per].map(([name, xs]) =>
    fig({
      figure: `${name} (server CPU per doc)`,
      ours: median(xs),
      unit: 'us/doc',
      baseline: floorOf(name),
      baselineLabel: 'the same rows read from the files in process (no HTTP, no JSON)',
    }),
  ),
});
