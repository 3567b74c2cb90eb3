// Controller kill runs (VERIFY-CHAOS #16): `couchmesh run` SIGKILLed while it is writing, started
// again on the same state folder, and the invariants of a restart checked.
//  - mid-apply: five nodes, every pair linked (20 `_replicator` docs), each node behind a fault
//    proxy with its own latency so the drift loop's apply reaches the nodes one after another; the
//    kill lands once the first docs appear. After the restart: the plan is empty, every managed doc
//    was written once (generation 1: nothing re-created or rewritten); the killed pass recorded
//    (interrupted, from its write-ahead intent, or its outcome), one completed drift action at most.
//  - mid-resolution: many conflicts (two leaves each) on the resolver node under lww; the kill lands
//    once the first resolutions are audited. After the restart: no document in conflict, exactly
//    one resolution entry per document (no duplicate for one resolution), every losing leaf named
//    by it and closed, the resolve actions counting no document twice, the killed pass recorded.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../../../src/core/random.ts';
import { CouchClient } from '../../../src/couch/index.ts';
import { preparePlan } from '../../../src/ops/plan.ts';
import { type FaultProxy, startFaultProxy } from '../../../src/relay/fault-proxy.ts';
import { listAuditEntries, type ResolutionEntry } from '../../../src/resolve/index.ts';
import { DB, type Json, TelemetryMesh } from '../../telemetry/helpers.ts';
import { ControllerProc } from './controller-proc.ts';
import { int } from './writers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ControllerKillResult {
  scenario: 'controller-apply' | 'controller-resolve';
  seed: number;
  passed: boolean;
  violations: string[];
  steps: string[];
  /** documents whose fate was checked (managed docs / conflicted docs) */
  docs: number;
  lost: number;
  /** the store's actions of the loop that was killed (drift / resolve), after the restart */
  actions?: ReturnType<ControllerProc['actions']>;
}

const result = (
  scenario: ControllerKillResult['scenario'],
  seed: number,
  docs: number,
  lost: number,
  violations: string[],
  steps: string[],
): ControllerKillResult => ({
  scenario,
  seed,
  passed: violations.length === 0,
  violations,
  steps,
  docs,
  lost,
});

/** Polls `probe` every 10 ms until it answers, at most `tries` times. */
async function until<T>(probe: () => Promise<T | undefined>, tries: number): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(10);
  }
  return undefined;
}

async function planActions(file: string, env: Record<string, string | undefined>): Promise<number> {
  const prep = await preparePlan({ file }, { env, client: { retries: 0, timeoutMs: 10_000 } });
  if (!prep.ok) throw new Error('invalid mesh');
  try {
    return prep.plan.actions.length;
  } finally {
    await prep.close();
  }
}

const CONTROLLER = (extra = '') =>
  `controller:\n  poll_interval_ms: 200\n  drift_interval_ms: 400\n  conflicts_interval_ms: 100\n${extra}`;

/** The managed `_replicator` docs on a node (id -> rev), read directly. */
async function managedDocs(mesh: TelemetryMesh, node: string): Promise<Map<string, string>> {
  const r = await mesh.ok(node, 'GET', '/_replicator/_all_docs');
  return new Map(
    (r.rows as Json[])
      .filter((x) => !x.id.startsWith('_design/'))
      .map((x) => [x.id as string, x.value.rev as string]),
  );
}

export async function killMidApply(seed: number): Promise<ControllerKillResult> {
  const r = seededRandom(seed);
  const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const mesh = new TelemetryMesh();
  const proxies: FaultProxy[] = [];
  let c: ControllerProc | undefined;
  const steps: string[] = [];
  const violations: string[] = [];
  try {
    const links = names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as [string, string]));
    await mesh.start(
      names.map((name) => ({ name })),
      links,
    );
    // each node behind its own latency, in a seeded order: the apply reaches them one by one
    const order = [...names].sort(() => r.float() - 0.5);
    let text = readFileSync(mesh.file, 'utf8');
    for (const n of names) {
      const port = Number(new URL(mesh.url(n)).port);
      const p = await startFaultProxy({ target: { host: '127.0.0.1', port } });
      p.set({ latencyMs: 5 + 80 * order.indexOf(n) });
      proxies.push(p);
      text = text.replace(`"${mesh.url(n)}"`, `"${p.url}"`);
    }
    writeFileSync(mesh.file, `${text}${CONTROLLER()}`);
    c = new ControllerProc(mesh.file, mesh.dir, mesh.password);
    c.start();
    const killAfter = int(r, 3); // docs seen on this many more polls before the kill
    const atKill = await until(async () => {
      const counts = await Promise.all(names.map(async (n) => (await managedDocs(mesh, n)).size));
      return counts.some((x) => x > 0) ? counts : undefined;
    }, 3000);
    for (let i = 0; i < killAfter; i++) await sleep(10);
    await c.kill();
    const after = await Promise.all(names.map(async (n) => (await managedDocs(mesh, n)).size));
    steps.push(
      `latency order ${order.join(',')}; docs per node when first seen ${atKill?.join(',')}; SIGKILL ${killAfter * 10} ms later; at the kill ${after.join(',')}`,
    );
    if (!atKill) violations.push('the apply never started');
    const midway = after.some((x) => x === 0);
    c.start();
    // converged: the restarted controller made its drift pass and the plan is empty
    const empty = await until(
      async () => (c?.passed('mesh') && (await planActions(mesh.file, mesh.env)) === 0 ? true : undefined),
      1500,
    );
    await sleep(1000); // a few more drift passes at 400 ms: nothing more may happen
    const code = await c.stop();
    if (code !== 0) violations.push(`the restarted controller exited ${code}: ${c.out.slice(-500)}`);
    if (!empty)
      violations.push(
        `the plan is not empty after the restart: ${await planActions(mesh.file, mesh.env)} actions`,
      );
    let docs = 0;
    for (const n of names)
      for (const [id, rev] of await managedDocs(mesh, n)) {
        docs++;
        if (!rev.startsWith('1-')) violations.push(`${n}/_replicator/${id} written more than once (${rev})`);
      }
    if (docs !== links.length * 2) violations.push(`${docs} managed docs, ${links.length * 2} declared`);
    const drift = c.actions().filter((a) => a.loop === 'drift');
    steps.push(
      `${midway ? 'killed mid-apply' : 'killed after the apply reached every node'}; drift actions: ${drift.map((a) => `${a.outcome} ${a.detail}`).join(' | ') || 'none'}`,
    );
    // write-ahead intents: the killed pass is `interrupted` (its intent was on disk before any doc),
    // unless it recorded its outcome first; the restarted pass records what it still applied
    const cut = drift.filter((a) => a.outcome === 'interrupted');
    const completed = drift.filter((a) => a.outcome !== 'interrupted');
    if (!drift.length) violations.push('docs were written and no drift action records it');
    if (cut.length > 1) violations.push(`${cut.length} interrupted drift actions for one killed pass`);
    if (completed.length > 1) violations.push(`${completed.length} drift actions completed for one apply`);
    if (midway && !completed.length) violations.push('the apply finished after the restart was not recorded');
    return {
      ...result('controller-apply', seed, docs, Math.max(0, links.length * 2 - docs), violations, steps),
      actions: drift,
    };
  } finally {
    await c?.kill();
    for (const p of proxies) await p.close();
    await mesh.close();
  }
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Resolution entries of the audit database on `node` (both layouts, de-duplicated): doc id -> its entries. */
async function resolutions(mesh: TelemetryMesh, node: string): Promise<Map<string, ResolutionEntry[]>> {
  const client = new CouchClient({
    url: mesh.url(node),
    auth: { username: 'admin', password: mesh.password },
  });
  const out = new Map<string, ResolutionEntry[]>();
  try {
    for (const e of await listAuditEntries(client, 'couchmesh_audit'))
      if (e.type === 'couchmesh.resolution') out.set(e.doc_id, [...(out.get(e.doc_id) ?? []), e]);
  } finally {
    await client.close();
  }
  return out;
}

/**
 * Whether the resolver audited anything yet, cheaply enough to poll every 10 ms: the first `x:` index
 * of a batch (the resolver's layout, src/resolve/audit/batch-doc.ts) without reading any entry.
 */
async function anyAudited(mesh: TelemetryMesh, node: string): Promise<boolean> {
  const r = await mesh.request(
    node,
    'GET',
    '/couchmesh_audit/_all_docs?start_key="x:"&end_key="x:\ufff0"&limit=1',
  );
  return r.status === 200 && (r.body.rows as Json[]).length > 0;
}

export async function killMidResolve(
  seed: number,
  o: { conflicts?: number } = {},
): Promise<ControllerKillResult> {
  const r = seededRandom(seed);
  const n = o.conflicts ?? 800;
  const mesh = new TelemetryMesh();
  let c: ControllerProc | undefined;
  const steps: string[] = [];
  const violations: string[] = [];
  try {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    const text = readFileSync(mesh.file, 'utf8').replace(
      `databases: [${DB}]`,
      `databases: [{ name: ${DB}, conflicts: { strategy: lww, timestamp: updated_at, node: n1 } }]`,
    );
    writeFileSync(mesh.file, `${text}${CONTROLLER()}`);
    await mesh.apply();
    // n documents with two leaves each on the resolver node (as two partitioned writers leave them)
    const leaves = new Map<string, [string, string]>();
    const docs = Array.from({ length: n }, (_, i) => {
      const id = `c-${String(i).padStart(5, '0')}`;
      const [a, b] = [`1-${md5(`${seed} ${id} a`)}`, `1-${md5(`${seed} ${id} b`)}`];
      leaves.set(id, [a, b]);
      const at = (k: number) => new Date(1_700_000_000_000 + int(r, 1e9) + k).toISOString();
      return [
        { _id: id, _rev: a, side: 'a', updated_at: at(0) },
        { _id: id, _rev: b, side: 'b', updated_at: at(1) },
      ];
    }).flat();
    await mesh.ok('n1', 'POST', `/${DB}/_bulk_docs`, { docs, new_edits: false });
    const since = (await mesh.ok('n1', 'GET', `/${DB}`)).update_seq;
    c = new ControllerProc(mesh.file, mesh.dir, mesh.password);
    c.start();
    // the kill lands once the first entries are audited (before their deletions) or once the first
    // deletions are written (a batch resolved, the next ones not yet), drawn from the seed
    const at = r.float() < 0.5 ? 'audited' : 'resolved';
    const first = await until(async () => {
      if (at === 'audited') return (await anyAudited(mesh, 'n1')) ? true : undefined;
      // any change after the conflicts were written is a resolution's write (cheap to ask often)
      const ch = await mesh.ok('n1', 'GET', `/${DB}/_changes?since=${encodeURIComponent(since)}&limit=1`);
      return ch.results.length ? true : undefined;
    }, 6000);
    const extra = int(r, 4) * 10;
    await sleep(extra);
    await c.kill();
    const auditedAtKill = (await resolutions(mesh, 'n1')).size;
    const liveAtKill = await conflicted(mesh, 'n1');
    steps.push(
      `${n} conflicts; SIGKILL ${extra} ms after the first ${at === 'audited' ? 'audit entry' : 'resolution written'}: ${auditedAtKill} audited, ${liveAtKill} still in conflict`,
    );
    if (!first) violations.push('the resolver never wrote an audit entry');
    c.start();
    const done = await until(async () => ((await conflicted(mesh, 'n1')) === 0 ? true : undefined), 3000);
    await until(async () => (c?.passed('mesh') ? true : undefined), 1500);
    await sleep(500); // more passes at 100 ms: nothing more may happen
    const code = await c.stop();
    if (code !== 0) violations.push(`the restarted controller exited ${code}: ${c.out.slice(-500)}`);
    if (!done)
      violations.push(`${await conflicted(mesh, 'n1')} documents still in conflict after the restart`);
    const audit = await resolutions(mesh, 'n1');
    let lost = 0;
    const dup: string[] = [];
    for (const [id, [a, b]] of leaves) {
      const entries = audit.get(id) ?? [];
      if (entries.length > 1) dup.push(id);
      const named = new Set(entries.flatMap((e) => [e.parent_rev, ...e.losers.map((l) => l.rev)]));
      if (!named.has(a) || !named.has(b)) lost++;
    }
    if (dup.length)
      violations.push(
        `${dup.length} documents with more than one resolution entry (${dup.slice(0, 3).join(', ')})`,
      );
    if (lost) violations.push(`${lost} documents whose losing leaf is not in the audit trail`);
    const resolved = c
      .actions()
      .filter((a) => a.loop === 'resolve')
      .map((a) => Number(/resolved (\d+)/.exec(a.detail)?.[1] ?? 0));
    const sum = resolved.reduce((x, y) => x + y, 0);
    steps.push(
      `after the restart: ${audit.size} audited; resolve actions ${resolved.join('+') || 'none'} = ${sum}`,
    );
    // the killed pass is recorded `interrupted` (it counts nothing: what it resolved is not redone),
    // the passes after the restart count the rest
    const acts = c.actions().filter((a) => a.loop === 'resolve');
    if (!acts.length) violations.push('resolutions were written and no resolve action records them');
    if (acts.filter((a) => a.outcome === 'interrupted').length > 1)
      violations.push('more than one interrupted resolve action for one killed pass');
    if (sum > n || sum < n - auditedAtKill)
      violations.push(
        `the resolve actions count ${sum} resolutions for ${n} conflicts (${auditedAtKill} audited at the kill)`,
      );
    return { ...result('controller-resolve', seed, n, lost, violations, steps), actions: acts };
  } finally {
    await c?.kill();
    await mesh.close();
  }
}

/** Documents with a live conflict on `node`. */
async function conflicted(mesh: TelemetryMesh, node: string): Promise<number> {
  const r = await mesh.ok(node, 'GET', `/${DB}/_all_docs?conflicts=true&include_docs=true`);
  return (r.rows as Json[]).filter((x) => x.doc?._conflicts?.length).length;
}
