/**
 * The controller's small local store (better-sqlite3, one file, 0600): what it cannot read back
 * from the nodes after a restart — open findings and since when, what each alert sink was told,
 * the action history (also the remediation rate-limit counters: actions are counted, not kept
 * apart) and the last identity of every database (update_seq, doc counts, instance_start_time),
 * so a database recreated while the controller was down is still noticed. WAL + synchronous=FULL
 * as the embedded node's store: an acknowledged write survives kill -9.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { userError } from '../core/errors.ts';
import type { ControllerAction } from './view.ts';

/**
 * What a loop is about to do, written before it acts (write-ahead): a SIGKILL between the act and
 * its record leaves the intent, and the next start shows it as an `interrupted` action instead of
 * nothing. Its id is the id of the action that completes it (one record either way).
 */
export interface Intent {
  id: string;
  /** ms */
  at: number;
  loop: ControllerAction['loop'];
  kind: string;
  target: string;
  /** what it is about to do, as the action's detail would say it */
  detail: string;
  finding?: string;
  /** where the action's audit record goes */
  node?: string;
}

export const STORE_FILE = 'controller.sqlite';

/**
 * The action history kept: the newest rows, and anything younger than the age bound (remediation's
 * once-per-episode check reads old ids; its rate limit reads the last hour). Pruned on open.
 */
export const KEEP_ACTION_ROWS = 10_000;
export const KEEP_ACTION_MS = 30 * 24 * 3_600_000;

/** A database's identity as last seen on a node (the deep check's baseline). */
export interface DbIdentity {
  node: string;
  db: string;
  update_seq: string;
  /** numeric prefix of update_seq (a heuristic, as everywhere) */
  seq_number: number | null;
  /** doc_count + doc_del_count: only a purge or a recreation makes it go down */
  docs_total: number | null;
  instance_start_time: string;
  at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS actions (
  id TEXT PRIMARY KEY, at INTEGER NOT NULL, loop TEXT NOT NULL, kind TEXT NOT NULL,
  target TEXT NOT NULL, outcome TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actions_target ON actions(target, at);
CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts (sink TEXT NOT NULL, key TEXT NOT NULL, severity TEXT NOT NULL, at INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (sink, key));
CREATE TABLE IF NOT EXISTS intents (id TEXT PRIMARY KEY, at INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dbs (node TEXT NOT NULL, db TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (node, db));
`;

export class ControllerStore {
  readonly file: string;
  readonly #db: Database.Database;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
  }

  /** Opens (creating) `dir/controller.sqlite`: the folder 0700, the files 0600; prunes old actions. */
  static open(dir: string, keep: { now?: number; rows?: number; ms?: number } = {}): ControllerStore {
    const file = join(dir, STORE_FILE);
    let db: Database.Database;
    try {
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
      db = new Database(file);
    } catch (e) {
      throw userError('E_CONTROLLER_STATE', `cannot open ${file}: ${(e as Error).message}`, undefined, {
        file,
      });
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    db.prepare(
      'DELETE FROM actions WHERE at < ? AND rowid NOT IN (SELECT rowid FROM actions ORDER BY at DESC, rowid DESC LIMIT ?)',
    ).run((keep.now ?? Date.now()) - (keep.ms ?? KEEP_ACTION_MS), keep.rows ?? KEEP_ACTION_ROWS);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    return new ControllerStore(file, db);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  // --- actions (history + rate-limit counters) ---

  /**
   * Records (or updates, same id) an action: ids are deterministic, so a retry never duplicates.
   * The intent it completes (same id) goes in the same transaction: never both, never neither.
   */
  putAction(a: ControllerAction): void {
    this.#db.transaction(() => {
      this.#putAction(a);
      this.#db.prepare('DELETE FROM intents WHERE id = ?').run(a.id);
    })();
  }

  #putAction(a: ControllerAction): void {
    this.#db
      .prepare(
        'INSERT INTO actions (id, at, loop, kind, target, outcome, json) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET outcome = excluded.outcome, json = excluded.json',
      )
      .run(a.id, Date.parse(a.at), a.loop, a.kind, a.target, a.outcome, JSON.stringify(a));
  }

  action(id: string): ControllerAction | undefined {
    const r = this.#db.prepare('SELECT json FROM actions WHERE id = ?').get(id) as
      | { json: string }
      | undefined;
    return r ? (JSON.parse(r.json) as ControllerAction) : undefined;
  }

  /** The newest `limit` actions, oldest first. */
  recentActions(limit = 200): ControllerAction[] {
    const rows = this.#db
      .prepare('SELECT json FROM actions ORDER BY at DESC, rowid DESC LIMIT ?')
      .all(limit) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as ControllerAction).reverse();
  }

  // --- intents (write-ahead: what a loop is about to do) ---

  /** Writes `i` durably (synchronous=FULL) before the loop acts. */
  putIntent(i: Intent): void {
    this.#db
      .prepare(
        'INSERT INTO intents (id, at, json) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json',
      )
      .run(i.id, i.at, JSON.stringify(i));
  }

  /** The intent came to nothing (there was nothing to do): no action records it. */
  dropIntent(id: string): void {
    this.#db.prepare('DELETE FROM intents WHERE id = ?').run(id);
  }

  /** Intents never completed (left by a killed controller), oldest first. */
  openIntents(): Intent[] {
    const rows = this.#db.prepare('SELECT json FROM intents ORDER BY at, rowid').all() as Array<{
      json: string;
    }>;
    return rows.map((r) => JSON.parse(r.json) as Intent);
  }

  /**
   * Actions on `target` since `since` (ms) that count against the rate limit (they acted, or would
   * have; an interrupted one may have acted).
   */
  countActions(target: string, since: number, loop = 'remediate'): number {
    const r = this.#db
      .prepare(
        "SELECT count(*) AS n FROM actions WHERE target = ? AND loop = ? AND at >= ? AND outcome IN ('done', 'failed', 'dry-run', 'interrupted')",
      )
      .get(target, loop, since) as { n: number };
    return r.n;
  }

  // --- findings: since when each open finding is open (its episode) ---

  /** Records the open findings of a poll; returns the first-seen time of each (kept across restarts). */
  syncFindings(open: ReadonlyArray<{ key: string; json: string }>, at: number): Map<string, number> {
    const out = new Map<string, number>();
    const tx = this.#db.transaction(() => {
      const keys = new Set(open.map((f) => f.key));
      for (const r of this.#db.prepare('SELECT key FROM findings').all() as Array<{ key: string }>)
        if (!keys.has(r.key)) this.#db.prepare('DELETE FROM findings WHERE key = ?').run(r.key);
      for (const f of open) {
        this.#db
          .prepare(
            'INSERT INTO findings (key, first_seen, last_seen, json) VALUES (?, ?, ?, ?) ' +
              'ON CONFLICT(key) DO UPDATE SET last_seen = excluded.last_seen, json = excluded.json',
          )
          .run(f.key, at, at, f.json);
        const r = this.#db.prepare('SELECT first_seen FROM findings WHERE key = ?').get(f.key) as {
          first_seen: number;
        };
        out.set(f.key, r.first_seen);
      }
    });
    tx();
    return out;
  }

  // --- alert state: what each sink was told ---

  told(sink: string, key: string): string | undefined {
    const r = this.#db.prepare('SELECT severity FROM alerts WHERE sink = ? AND key = ?').get(sink, key) as
      | { severity: string }
      | undefined;
    return r?.severity;
  }

  /** Remembers the event last sent to `sink` for `key` (null: resolved, forget it). */
  tell(sink: string, key: string, event: { severity: string } | null, at: number): void {
    if (event === null) this.#db.prepare('DELETE FROM alerts WHERE sink = ? AND key = ?').run(sink, key);
    else
      this.#db
        .prepare(
          'INSERT INTO alerts (sink, key, severity, at, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT(sink, key) DO UPDATE SET severity = excluded.severity, at = excluded.at, json = excluded.json',
        )
        .run(sink, key, event.severity, at, JSON.stringify(event));
  }

  /** Everything `sink` was told and not told resolved: key -> the event last sent. */
  toldEvents(sink: string): Array<{ key: string; event: unknown }> {
    const rows = this.#db.prepare('SELECT key, json FROM alerts WHERE sink = ?').all(sink) as Array<{
      key: string;
      json: string;
    }>;
    return rows.map((r) => ({ key: r.key, event: JSON.parse(r.json) as unknown }));
  }

  // --- database identities (the deep check's baselines) ---

  dbIdentity(node: string, db: string): DbIdentity | undefined {
    const r = this.#db.prepare('SELECT json FROM dbs WHERE node = ? AND db = ?').get(node, db) as
      | { json: string }
      | undefined;
    return r ? (JSON.parse(r.json) as DbIdentity) : undefined;
  }

  setDbIdentity(i: DbIdentity): void {
    this.#db
      .prepare(
        'INSERT INTO dbs (node, db, json) VALUES (?, ?, ?) ON CONFLICT(node, db) DO UPDATE SET json = excluded.json',
      )
      .run(i.node, i.db, JSON.stringify(i));
  }
}
