import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '../core/clock.ts';
import { type Random, systemRandom } from '../core/random.ts';
import { scanJson } from '../couchdb/json-scan.ts';
import { Database, type UpdateResult } from './engine/database.ts';
import { DesignFunctions, type JsEnv } from './engine/design.ts';
import { parseDoc } from './engine/doc-parse.ts';
import { CouchHttpError } from './engine/errors.ts';
import {
  DEFAULT_ITERATIONS,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_MIN_ITERATIONS,
  type PasswordPolicy,
} from './http/passwords.ts';
import { DEFAULT_LIMITS, quickJsLoaded } from './js/sandbox.ts';
import { createLogger, type NodeLogger } from './log.ts';
import type { NodeOptions } from './options.ts';
import { DbStore } from './store/db-store.ts';
import {
  type ConfigSections,
  ensureDataDir,
  loadConfig,
  loadIdentity,
  saveConfig,
} from './store/node-files.ts';
import { usersBeforeUpdate } from './users.ts';

const DB_NAME = /^[a-z][a-z0-9_$()+/-]*$/;
const SYSTEM_DBS = new Set(['_users', '_replicator', '_global_changes']);
const FILE_SUFFIX = '.couch.sqlite';
/** What CouchDB 3 writes as a new database's `_security` under `default_security = admin_only`. */
const ADMIN_ONLY_SECURITY = '{"members":{"roles":["_admin"]},"admins":{"roles":["_admin"]}}';
// CouchDB refuses names whose file name would pass 255 bytes (238 + the ".<timestamp>.couch" suffix)
const MAX_DB_NAME = 238;

/** CouchDB's defaults for the settings the node honours (`[couchdb]`, `[chttpd]`). */
export interface NodeConfig {
  maxDocumentSize: number;
  maxHttpRequestSize: number;
}

/**
 * Everything a node holds besides HTTP: its databases (one SQLite file each, opened lazily and kept
 * open), its identity (uuid, persisted in the data folder), and its configuration.
 */
export class NodeState {
  readonly uuid: string;
  readonly config: NodeConfig;
  readonly random: Random;
  /** the node's time: session cookies, db incarnations, the replicator's schedule, log lines */
  readonly clock: Clock;
  readonly admins: Map<string, string>;
  readonly secret: Buffer;
  readonly logger: NodeLogger;
  private readonly dbs = new Map<string, Database>();
  private readonly dataDir: string | undefined;
  /** Called for every db opened/created (the replicator watches `_replicator`). */
  readonly dbListeners = new Set<(db: Database, event: 'created' | 'deleted') => void>();

  constructor(
    readonly options: NodeOptions,
    random: Random = systemRandom,
  ) {
    this.random = random;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.logger = createLogger(
      options.log,
      options.logLevel ?? 'info',
      () => `couchmesh@${this.uuid ?? '-'}`,
      () => clock.now(),
    );
    this.dataDir = options.inMemory ? undefined : options.dataDir;
    this.admins = new Map(Object.entries(options.admins ?? {}));
    this.config = {
      maxDocumentSize: options.maxDocumentSize ?? 8_000_000,
      maxHttpRequestSize: options.maxHttpRequestSize ?? 4_294_967_296,
    };
    let uuid = options.uuid;
    let secret = random.uuid();
    if (this.dataDir) {
      ensureDataDir(this.dataDir);
      const id = loadIdentity(this.dataDir, () => ({ uuid: uuid ?? random.uuid(), secret }));
      uuid = uuid ?? id.uuid;
      secret = id.secret;
      for (const f of readdirSync(this.dataDir))
        if (f.endsWith(FILE_SUFFIX)) this.open(decodeURIComponent(f.slice(0, -FILE_SUFFIX.length)));
    }
    this.uuid = uuid ?? random.uuid();
    this.secret = Buffer.from(secret);
    this.configSections.couchdb = {
      max_document_size: String(this.config.maxDocumentSize),
      uuid: this.uuid,
    };
    this.configSections.chttpd = { max_http_request_size: String(this.config.maxHttpRequestSize) };
    if (this.dataDir) this.applyPersistedConfig(loadConfig(this.dataDir));
    for (const name of ['_users', '_replicator']) {
      const db = this.dbs.get(name) ?? this.createDb(name);
      // system dbs of data folders from before default_security: closed as CouchDB 3 creates them
      if (db.store.getMeta('security') === undefined) db.store.setMeta('security', ADMIN_ONLY_SECURITY);
    }
  }

  private file(name: string): string {
    if (!this.dataDir) return ':memory:';
    return join(this.dataDir, encodeURIComponent(name) + FILE_SUFFIX);
  }

  private open(name: string): Database {
    const db = new Database(name, new DbStore(this.file(name)), {
      newId: () => this.random.uuid(),
      clock: this.clock,
    });
    db.design = new DesignFunctions(db.store, () => this.jsEnv());
    if (name === '_users')
      db.beforeUpdate = (doc) => usersBeforeUpdate(doc, this.passwordPolicy().iterations);
    const hook = this.beforeUpdateHooks.get(name);
    if (hook) db.beforeUpdate = hook;
    const read = this.afterReadHooks.get(name);
    if (read) db.afterRead = read;
    this.dbs.set(name, db);
    return db;
  }

  /** `_active_tasks` providers (the replicator's running jobs). */
  readonly activeTasks: Array<() => Record<string, unknown>[]> = [];
  /** `/_node/_local/_stats/{group}` providers, e.g. `couch_replicator`. */
  readonly stats = new Map<string, () => Record<string, unknown>>();

  /** Per-database before_doc_update hooks installed by services (e.g. `_replicator`). */
  readonly beforeUpdateHooks = new Map<string, NonNullable<Database['beforeUpdate']>>();

  /** Per-database after_doc_read hooks installed by services (e.g. `_replicator`). */
  readonly afterReadHooks = new Map<string, NonNullable<Database['afterRead']>>();

  setAfterRead(name: string, hook: NonNullable<Database['afterRead']>): void {
    this.afterReadHooks.set(name, hook);
    const db = this.dbs.get(name);
    if (db) db.afterRead = hook;
  }

  setBeforeUpdate(name: string, hook: NonNullable<Database['beforeUpdate']>): void {
    this.beforeUpdateHooks.set(name, hook);
    const db = this.dbs.get(name);
    if (db) db.beforeUpdate = hook;
  }

  /** A write by the node itself (state write-backs): a normal interactive edit on `parentRev`. */
  internalWrite(
    db: Database,
    id: string,
    parentRev: string,
    body: Record<string, unknown>,
  ): UpdateResult | undefined {
    const text = JSON.stringify({ _id: id, _rev: parentRev, ...body });
    const [r] = db.updateDocs([parseDoc(text, scanJson(text))], true, {
      user: { name: null, roles: ['_admin', '_replicator'] },
      internal: true,
    });
    return r;
  }

  static validName(name: string): boolean {
    return SYSTEM_DBS.has(name) || DB_NAME.test(name);
  }

  get(name: string): Database | undefined {
    return this.dbs.get(name);
  }

  /** The db or CouchDB's 404. */
  require(name: string): Database {
    const db = this.dbs.get(name);
    if (!db) throw new CouchHttpError(404, 'not_found', 'Database does not exist.');
    return db;
  }

  allDbs(): string[] {
    return [...this.dbs.keys()].sort();
  }

  createDb(name: string): Database {
    if (!NodeState.validName(name))
      throw new CouchHttpError(
        400,
        'illegal_database_name',
        `Name: '${name}'. Only lowercase characters (a-z), digits (0-9), and any of the characters _, $, (, ), +, -, and / are allowed. Must begin with a letter.`,
      );
    if (this.dbs.has(name))
      throw new CouchHttpError(
        412,
        'file_exists',
        'The database could not be created, the file already exists.',
      );
    if (name.length > MAX_DB_NAME)
      throw new CouchHttpError(
        400,
        'database_name_too_long',
        `At least one path segment of \`${name}\` is too long.`,
      );
    const db = this.open(name);
    // [couchdb] default_security = admin_only (CouchDB 3): a new db is closed to everyone but admins
    db.store.setMeta('security', ADMIN_ONLY_SECURITY);
    for (const fn of this.dbListeners) fn(db, 'created');
    return db;
  }

  deleteDb(name: string): void {
    const db = this.require(name);
    this.dbs.delete(name);
    db.close();
    if (this.dataDir) for (const ext of ['', '-wal', '-shm']) rmSync(this.file(name) + ext, { force: true });
    for (const fn of this.dbListeners) fn(db, 'deleted');
  }

  /** `_config` sections as strings, like CouchDB's ini; keys the node honours are applied live. */
  readonly configSections: Record<string, Record<string, string>> = {};

  /** `_config` changes made over HTTP, persisted in the data folder (CouchDB's local.ini). */
  private persisted: ConfigSections = {};

  /** Start-up: persisted changes apply, except where an explicit start option names the setting. */
  private applyPersistedConfig(saved: ConfigSections): void {
    const explicit = new Set([
      ...(this.options.maxDocumentSize !== undefined ? ['couchdb/max_document_size'] : []),
      ...(this.options.maxHttpRequestSize !== undefined ? ['chttpd/max_http_request_size'] : []),
      'couchdb/uuid',
    ]);
    for (const [section, keys] of Object.entries(saved))
      for (const [key, value] of Object.entries(keys))
        if (!explicit.has(`${section}/${key}`)) this.setConfig(section, key, value, false);
  }

  setConfig(section: string, key: string, value: string | undefined, persist = true): void {
    if (persist && this.dataDir) {
      const p = structuredClone(this.persisted);
      p[section] ??= {};
      (p[section] as Record<string, string | undefined>)[key] = value;
      if (value === undefined) delete p[section]?.[key];
      saveConfig(this.dataDir, p); // durable before it takes effect: a crash never loses an acknowledged change
      this.persisted = p;
    } else if (!persist) {
      this.persisted[section] ??= {};
      (this.persisted[section] as Record<string, string>)[key] = value as string;
    }
    this.configSections[section] ??= {};
    const s = this.configSections[section];
    if (value === undefined) delete s[key];
    else s[key] = value;
    if (section === 'couchdb' && key === 'max_document_size')
      this.config.maxDocumentSize = value === undefined ? 8_000_000 : Number(value);
    if (section === 'chttpd' && key === 'max_http_request_size')
      this.config.maxHttpRequestSize = value === undefined ? 4_294_967_296 : Number(value);
    for (const fn of this.configListeners) fn(section, key, value);
  }

  /**
   * The design-function sandbox's module and limits: `[couchdb] os_process_timeout` (CouchDB's
   * bound on a query-server call, 5000 ms) and `[quickjs] memory_limit_bytes` (per database heap).
   */
  jsEnv(): JsEnv {
    const num = (v: string | undefined, d: number) =>
      v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : d;
    return {
      module: quickJsLoaded(),
      limits: {
        timeoutMs: num(this.configSections.couchdb?.os_process_timeout, DEFAULT_LIMITS.timeoutMs),
        memoryBytes: num(this.configSections.quickjs?.memory_limit_bytes, DEFAULT_LIMITS.memoryBytes),
        stackBytes: DEFAULT_LIMITS.stackBytes,
      },
    };
  }

  /** `[chttpd_auth] iterations / min_iterations / max_iterations`, with CouchDB 3.5's defaults. */
  passwordPolicy(): PasswordPolicy {
    const s = this.configSections.chttpd_auth ?? {};
    const num = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
    return {
      iterations: num(s.iterations, DEFAULT_ITERATIONS),
      minIterations: num(s.min_iterations, DEFAULT_MIN_ITERATIONS),
      maxIterations: num(s.max_iterations, DEFAULT_MAX_ITERATIONS),
    };
  }

  readonly configListeners = new Set<(section: string, key: string, value: string | undefined) => void>();

  close(): void {
    for (const db of this.dbs.values()) db.close();
    this.dbs.clear();
  }
}
