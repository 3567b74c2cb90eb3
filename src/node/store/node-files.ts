import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { userError } from '../../core/errors.ts';

/**
 * The node's own small files in its data folder: identity (uuid + cookie secret) and the `_config`
 * changes made over HTTP (CouchDB writes those to its local.ini). Secrets live here, so the folder
 * is 0700 and every file 0600; writes are atomic (temp file, fsync, rename, fsync of the folder), so
 * a crash leaves the old file or the new one, never a torn one.
 */
export const IDENTITY_FILE = 'couchmesh-node.json';
export const CONFIG_FILE = 'couchmesh-config.json';

export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  const dirFd = openSync(dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Reads one of the node's JSON files; a file that is empty or not JSON is a clear user error. */
export function readJsonFile<T>(file: string, what: string, check: (v: unknown) => v is T): T | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!check(value))
    throw userError(
      'E_NODE_FILE_DAMAGED',
      `${file} (${what}) is ${text.trim() ? 'damaged' : 'empty'}: the node cannot start from it`,
      `restore it from a backup, or move it away to start with a new ${what} (for the identity file: a new uuid, which changes every replication id, and logs every session out)`,
    );
  return value;
}

export interface Identity {
  uuid: string;
  secret: string;
}

const isIdentity = (v: unknown): v is Identity =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Identity).uuid === 'string' &&
  typeof (v as Identity).secret === 'string';

/** The node's identity, created (atomically, 0600) on first start. */
export function loadIdentity(dir: string, fresh: () => Identity): Identity {
  const file = join(dir, IDENTITY_FILE);
  const saved = readJsonFile(file, 'node identity', isIdentity);
  if (saved) {
    chmodSync(file, 0o600);
    return saved;
  }
  const id = fresh();
  writeAtomic(file, JSON.stringify(id));
  return id;
}

export type ConfigSections = Record<string, Record<string, string>>;

const isConfig = (v: unknown): v is ConfigSections =>
  typeof v === 'object' &&
  v !== null &&
  Object.values(v).every(
    (s) => typeof s === 'object' && s !== null && Object.values(s).every((x) => typeof x === 'string'),
  );

export function loadConfig(dir: string): ConfigSections {
  return readJsonFile(join(dir, CONFIG_FILE), 'configuration', isConfig) ?? {};
}

export function saveConfig(dir: string, sections: ConfigSections): void {
  writeAtomic(join(dir, CONFIG_FILE), `${JSON.stringify(sections, null, 2)}\n`);
}
