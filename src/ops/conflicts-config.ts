/** Where the conflict operations connect, and which strategy and audit trail they use. */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { userError } from '../core/errors.ts';
import { CouchClient } from '../couch/index.ts';
import {
  type AuditSink,
  type ConflictsConfig,
  CouchAuditSink,
  NdjsonAuditSink,
  parseConflictsConfig,
} from '../resolve/index.ts';
import type { Env } from './deps.ts';

/** Where to connect (later supplied by mesh.yaml). The password only ever comes from the environment. */
export interface ConflictsTarget {
  url?: string;
  db?: string;
  user?: string;
  auditDb?: string;
  auditFile?: string;
}

/** Strategy options of `show` and `resolve`; `config` names a file with a `conflicts:` block (YAML or JSON). */
export interface StrategyOptions {
  config?: string;
  strategy?: string;
  timestamp?: string;
  field?: string;
  fields?: string;
  module?: string;
  batchSize?: number;
  concurrency?: number;
}

export function connect(f: ConflictsTarget, env: Env): { client: CouchClient; db: string } {
  const url = f.url ?? env.COUCHMESH_URL;
  if (!url)
    throw userError(
      'E_CONFLICTS_NODE',
      'which node? pass --url',
      'e.g. --url http://127.0.0.1:5984 (or set COUCHMESH_URL)',
    );
  if (!f.db) throw userError('E_CONFLICTS_NODE', 'which database? pass --db', 'e.g. --db sensors');
  const user = f.user ?? env.COUCHMESH_USER;
  const password = env.COUCHMESH_PASSWORD;
  if (user && password === undefined)
    throw userError(
      'E_CONFLICTS_AUTH',
      `--user ${user} given but COUCHMESH_PASSWORD is not set`,
      'export COUCHMESH_PASSWORD=... (passwords are never taken from flags or URLs)',
    );
  if (!user && password !== undefined)
    throw userError(
      'E_CONFLICTS_AUTH',
      'COUCHMESH_PASSWORD is set but no user',
      'pass --user NAME (or set COUCHMESH_USER)',
    );
  return {
    client: new CouchClient({
      url,
      ...(user ? { auth: { username: user, password: password as string } } : {}),
    }),
    db: f.db,
  };
}

/** The settings from the `config` file and the strategy options (options win); lww when nothing says otherwise. */
export function strategyConfig(f: StrategyOptions & ConflictsTarget): {
  config: ConflictsConfig;
  baseDir: string;
} {
  let raw: Record<string, unknown> = {};
  const baseDir = f.config ? dirname(resolvePath(f.config)) : process.cwd();
  if (f.config) {
    let text: string;
    try {
      text = readFileSync(f.config, 'utf8');
    } catch (e) {
      throw userError('E_CONFLICTS_CONFIG', `cannot read ${f.config}: ${(e as Error).message}`);
    }
    const parsed = parseYaml(text) as Record<string, unknown> | null;
    raw = (parsed && typeof parsed.conflicts === 'object' ? parsed.conflicts : parsed) as Record<
      string,
      unknown
    >;
  }
  const set = (k: string, v: unknown) => {
    if (v !== undefined) raw[k] = v;
  };
  if (f.strategy && f.strategy !== raw.strategy)
    raw = {
      ...pick(raw, ['type_field', 'types', 'audit', 'batch_size', 'concurrency']),
      strategy: f.strategy,
    };
  raw.strategy ??= 'lww';
  set('timestamp', f.timestamp);
  set('field', f.field);
  set(
    'fields',
    f.fields
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  set('module', f.module);
  set('batch_size', f.batchSize);
  set('concurrency', f.concurrency);
  if (f.auditDb) raw.audit = { db: f.auditDb };
  if (f.auditFile) raw.audit = { file: f.auditFile };
  return { config: parseConflictsConfig(raw, f.config ?? 'flags'), baseDir };
}

const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

export function auditSink(f: ConflictsTarget, client: CouchClient): AuditSink {
  return f.auditFile
    ? new NdjsonAuditSink(resolvePath(f.auditFile))
    : new CouchAuditSink(client, f.auditDb ?? 'couchmesh_audit');
}
