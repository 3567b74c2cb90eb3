// kill -9 during `_bulk_docs`: no acknowledged write is lost and no batch is left half-applied.
//
// The node runs in a child process (test/node/node-process.ts) on a data folder. Each round keeps
// IN_FLIGHT `_bulk_docs` requests of BATCH_SIZE docs in flight on keep-alive connections (creates,
// updates and deletes; every doc carries `w`, the number of the batch that wrote it) and SIGKILLs the
// child the moment the round's KILL_AFTER-th acknowledgement (a complete 201 body) arrives, while the
// other requests are still outstanding. The node is restarted on the same folder and checked:
//   - every doc of every acknowledged batch is there with the acknowledged rev (and deleted flag);
//   - every unacknowledged batch is there entirely or not at all, never in part;
//   - no doc appears that no batch wrote;
//   - `_changes` (one row per doc, strictly increasing seqs, last_seq = update_seq, pending 0),
//     `_all_docs`, `doc_count` and `doc_del_count` agree with each other and with the docs present;
//   - the db still accepts writes (the next round writes to it; a final batch after the last round).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AUTH = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
const DB = 'durable';
const BATCH_SIZE = 200;
const IN_FLIGHT = 4;
/** One round per entry: SIGKILL after this many acknowledged batches in the round. */
const KILL_AFTER = [3, 6, 9];

// ---------------------------------------------------------------------------------------------------
// The child node

interface Child {
  proc: ChildProcess;
  url: string;
  agent: http.Agent;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

async function startChild(dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/node/node-process.ts', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
      } catch (e) {
        reject(new Error(`unexpected launcher output ${JSON.stringify(out)}`, { cause: e }));
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`node child exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  return { proc, url, agent, exited, stderr: () => stderr };
}

async function stopChild(child: Child): Promise<void> {
  child.agent.destroy();
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
  await child.exited;
}

interface Res {
  status: number;
  json: unknown;
}

/** One JSON request; resolves only once the whole response body has arrived and parsed. */
function request(child: Child, method: string, path: string, body?: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Authorization: AUTH, Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const req = http.request(new URL(path, child.url), { method, agent: child.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error('response cut short'));
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------------
// What the client knows

interface DocModel {
  /** Last acknowledged rev (undefined: never acknowledged). */
  rev: string | undefined;
  deleted: boolean;
  /** An unacknowledged write in flight (at most one per doc: a doc is only rewritten once acked). */
  pending?: { batch: number; deleted: boolean };
}

interface Observed {
  rev: string;
  deleted: boolean;
  w: unknown;
}

const revPos = (rev: string | undefined) => (rev === undefined ? 0 : Number(rev.slice(0, rev.indexOf('-'))));

class Model {
  readonly docs = new Map<string, DocModel>();
  private readonly batches = new Map<number, { ids: string[]; acked: boolean }>();
  private nextBatch = 1;

  /** A new batch: an update/delete of acknowledged idle docs every third batch when there are enough, else creates. */
  start(round: number): { n: number; docs: Array<Record<string, unknown>> } {
    const n = this.nextBatch++;
    const docs: Array<Record<string, unknown>> = [];
    const idle = [...this.docs].filter(([, d]) => d.rev !== undefined && !d.deleted && !d.pending);
    if (n % 3 === 0 && idle.length >= BATCH_SIZE) {
      idle.slice(0, BATCH_SIZE).forEach(([id, d], i) => {
        const deleted = i % 4 === 0;
        d.pending = { batch: n, deleted };
        docs.push({ _id: id, _rev: d.rev, ...(deleted ? { _deleted: true } : {}), w: n, round, i });
      });
    } else {
      for (let i = 0; i < BATCH_SIZE; i++) {
        const id = `b${String(n).padStart(4, '0')}-${String(i).padStart(3, '0')}`;
        this.docs.set(id, { rev: undefined, deleted: false, pending: { batch: n, deleted: false } });
        docs.push({ _id: id, w: n, round, i });
      }
    }
    this.batches.set(n, { ids: docs.map((d) => d._id as string), acked: false });
    return { n, docs };
  }

  /** A 201 arrived: every doc of the batch must have been written; remember the revs. */
  ack(n: number, results: unknown): void {
    const batch = this.batches.get(n);
    assert.ok(batch);
    assert.ok(Array.isArray(results), `batch ${n}: 201 body is not an array`);
    assert.equal(results.length, batch.ids.length, `batch ${n}: one result per doc`);
    results.forEach((r, i) => {
      const res = r as { ok?: boolean; id?: string; rev?: string };
      assert.equal(res.ok, true, `batch ${n}: doc ${i} failed: ${JSON.stringify(r)}`);
      assert.equal(res.id, batch.ids[i]);
      const doc = this.docs.get(res.id as string);
      assert.ok(doc?.pending && doc.pending.batch === n);
      doc.rev = res.rev;
      doc.deleted = doc.pending.deleted;
      delete doc.pending;
    });
    batch.acked = true;
  }

  /**
   * Checks the restarted node's docs against what was acknowledged and what was in flight, then
   * adopts the outcome of every unacknowledged write so the next round starts from known revs.
   */
  settle(observed: Map<string, Observed>): { landed: number; vanished: number } {
    for (const id of observed.keys()) assert.ok(this.docs.has(id), `doc ${id} was never written`);
    let landed = 0;
    let vanished = 0;
    for (const [n, batch] of this.batches) {
      if (batch.acked || !batch.ids.some((id) => this.docs.get(id)?.pending?.batch === n)) continue;
      const applied = batch.ids.filter((id) => observed.get(id)?.w === n).length;
      assert.ok(
        applied === 0 || applied === batch.ids.length,
        `unacknowledged batch ${n} is partly applied: ${applied} of ${batch.ids.length} docs`,
      );
      if (applied) landed++;
      else vanished++;
    }
    for (const [id, doc] of this.docs) {
      const obs = observed.get(id);
      const p = doc.pending;
      if (p && obs?.w === p.batch) {
        assert.equal(revPos(obs.rev), revPos(doc.rev) + 1, `${id}: in-flight write landed on its parent`);
        assert.equal(obs.deleted, p.deleted, `${id}: deleted flag of the in-flight write`);
        doc.rev = obs.rev;
        doc.deleted = obs.deleted;
      } else if (doc.rev === undefined) {
        assert.equal(obs, undefined, `${id}: present though its create was never acknowledged nor landed`);
      } else {
        assert.ok(obs, `${id}: acknowledged write lost (rev ${doc.rev})`);
        assert.equal(obs.rev, doc.rev, `${id}: acknowledged rev`);
        assert.equal(obs.deleted, doc.deleted, `${id}: acknowledged deleted flag`);
      }
      delete doc.pending;
      if (doc.rev === undefined) this.docs.delete(id);
    }
    for (const batch of this.batches.values()) batch.acked = true; // all settled now
    return { landed, vanished };
  }

  get live(): number {
    return [...this.docs.values()].filter((d) => !d.deleted).length;
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing, killing, checking

/** Keeps IN_FLIGHT batches going until `killAfter` acks arrive, then SIGKILLs the child mid-flight. */
async function writeAndKill(
  child: Child,
  model: Model,
  round: number,
  killAfter: number,
): Promise<{ acked: number; inFlightAtKill: number }> {
  const inFlight = new Set<Promise<void>>();
  const failures: string[] = [];
  let acked = 0;
  let killSent = false;
  let inFlightAtKill = 0;
  const send = () => {
    const batch = model.start(round);
    const p: Promise<void> = request(child, 'POST', `/${DB}/_bulk_docs`, { docs: batch.docs }).then(
      (res) => {
        // a complete answer is an acknowledgement, even one that arrives after SIGKILL was sent
        if (res.status !== 201) {
          failures.push(`batch ${batch.n}: ${res.status} ${JSON.stringify(res.json)}`);
          return;
        }
        try {
          model.ack(batch.n, res.json);
        } catch (e) {
          failures.push(String(e));
          return;
        }
        acked++;
        if (killSent) return;
        if (acked >= killAfter) {
          killSent = true;
          inFlightAtKill = inFlight.size - 1;
          child.proc.kill('SIGKILL');
        } else send();
      },
      () => {
        // the connection died with the child: this batch is unacknowledged
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  for (let i = 0; i < IN_FLIGHT; i++) send();
  const exit = await child.exited;
  while (inFlight.size) await Promise.allSettled([...inFlight]);
  child.agent.destroy();
  assert.deepEqual(failures, []);
  assert.ok(killSent, `the node died by itself (${exit.code ?? exit.signal}):\n${child.stderr()}`);
  assert.equal(exit.signal, 'SIGKILL');
  return { acked, inFlightAtKill };
}

interface ChangeRow {
  seq: string;
  id: string;
  changes: Array<{ rev: string }>;
  deleted?: boolean;
  doc?: { w?: unknown };
}

const seqNum = (seq: unknown) => Number(String(seq).split('-')[0]);

/** Reads the db three ways, checks they agree, and returns every doc's winner. */
async function observe(child: Child): Promise<Map<string, Observed>> {
  const info = await request(child, 'GET', `/${DB}`);
  assert.equal(info.status, 200);
  const { doc_count, doc_del_count, update_seq } = info.json as Record<string, unknown>;

  const ch = await request(child, 'GET', `/${DB}/_changes?include_docs=true`);
  assert.equal(ch.status, 200);
  const changes = ch.json as { results: ChangeRow[]; last_seq: string; pending: number };
  assert.equal(changes.last_seq, update_seq, '_changes last_seq = update_seq');
  assert.equal(changes.pending, 0);
  const observed = new Map<string, Observed>();
  let prev = 0;
  for (const row of changes.results) {
    assert.ok(!observed.has(row.id), `${row.id} appears twice in _changes`);
    assert.ok(seqNum(row.seq) > prev, `_changes seqs strictly increase at ${row.id}`);
    prev = seqNum(row.seq);
    assert.equal(row.changes.length, 1);
    const rev = row.changes[0]?.rev as string;
    assert.equal((row.doc as { _rev?: string } | undefined)?._rev, rev, `${row.id}: doc is the winner`);
    observed.set(row.id, { rev, deleted: row.deleted === true, w: row.doc?.w });
  }
  if (changes.results.length) assert.equal(prev, seqNum(update_seq), 'the last change has seq update_seq');

  const live = [...observed].filter(([, o]) => !o.deleted);
  assert.equal(doc_count, live.length, 'doc_count = live docs in _changes');
  assert.equal(doc_del_count, observed.size - live.length, 'doc_del_count = deleted docs in _changes');

  const all = await request(child, 'GET', `/${DB}/_all_docs`);
  assert.equal(all.status, 200);
  const rows = (all.json as { total_rows: number; rows: Array<{ id: string; value: { rev: string } }> }).rows;
  assert.equal((all.json as { total_rows: number }).total_rows, doc_count);
  assert.deepEqual(
    rows.map((r) => [r.id, r.value.rev]),
    live.map(([id, o]) => [id, o.rev]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    '_all_docs lists exactly the live docs of _changes, with the same revs',
  );
  return observed;
}

test('kill -9 during _bulk_docs loses no acknowledged write and leaves no partial batch', {
  timeout: 300_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-durability-'));
  let child: Child | undefined;
  try {
    child = await startChild(dir);
    assert.equal((await request(child, 'PUT', `/${DB}`)).status, 201);
    const model = new Model();
    let landedTotal = 0;
    let vanishedTotal = 0;
    for (const [round, killAfter] of KILL_AFTER.entries()) {
      const { acked, inFlightAtKill } = await writeAndKill(child, model, round, killAfter);
      assert.ok(acked >= killAfter);
      assert.ok(inFlightAtKill >= 1, 'requests were still in flight when the node was killed');

      child = await startChild(dir);
      const observed = await observe(child);
      const { landed, vanished } = model.settle(observed);
      landedTotal += landed;
      vanishedTotal += vanished;
      assert.equal(
        [...observed.values()].filter((o) => !o.deleted).length,
        model.live,
        'live docs after restart',
      );
      t.diagnostic(
        `round ${round}: ${acked} batches acknowledged, ${inFlightAtKill} in flight at SIGKILL ` +
          `(${landed} landed whole, ${vanished} vanished whole); ${observed.size} docs`,
      );
    }
    t.diagnostic(`unacknowledged batches: ${landedTotal} landed whole, ${vanishedTotal} vanished whole`);

    // the db still accepts writes after the last crash
    const before = (await request(child, 'GET', `/${DB}`)).json as { doc_count: number };
    const batch = model.start(KILL_AFTER.length);
    const res = await request(child, 'POST', `/${DB}/_bulk_docs`, { docs: batch.docs });
    assert.equal(res.status, 201);
    model.ack(batch.n, res.json);
    const single = await request(child, 'PUT', `/${DB}/after-crash`, { ok: 1 });
    assert.equal(single.status, 201);
    const after = (await request(child, 'GET', `/${DB}`)).json as { doc_count: number };
    const created = batch.docs.filter((d) => d._rev === undefined).length;
    const deleted = batch.docs.filter((d) => d._deleted === true).length;
    assert.equal(after.doc_count, before.doc_count + created - deleted + 1);
    await observe(child);
  } finally {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
