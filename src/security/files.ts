/**
 * The certificate folder's layout and its writes: `ca.pem` + `ca.key` (the mesh CA), `NODE.pem` +
 * `NODE.key` per node. Private keys are written 0600 (CouchDB's `[ssl] key_file` and any TLS key
 * must be readable by its owner only) in a 0700 folder; nothing is overwritten without `force`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userError } from '../core/errors.ts';
import type { CertPair } from './pki.ts';

export interface PairPaths {
  cert: string;
  key: string;
}

export const caPaths = (dir: string): PairPaths => ({ cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') });

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether a node name can name certificate files (no separators, no leading dot, not the CA's). */
export const isCertName = (node: string): boolean => NODE_NAME.test(node) && node !== 'ca';

export function nodePaths(dir: string, node: string): PairPaths {
  // the name becomes a file name: no separators, no leading dot
  if (!isCertName(node))
    throw userError(
      'E_USAGE',
      `'${node}' cannot name a certificate`,
      'node names are letters, digits, ".", "_" and "-" (and not "ca")',
    );
  return { cert: join(dir, `${node}.pem`), key: join(dir, `${node}.key`) };
}

/** Writes a certificate (0644) and its key (0600); refuses existing files unless `force`. */
export function writePair(dir: string, paths: PairPaths, pair: CertPair, force: boolean): void {
  for (const p of [paths.cert, paths.key])
    if (existsSync(p) && !force)
      throw userError(
        'E_CERTS_EXISTS',
        `${p} already exists; not overwriting it`,
        'pass --force to replace it',
        {
          path: p,
        },
      );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.key, pair.keyPem, { mode: 0o600 });
  chmodSync(paths.key, 0o600); // an existing file keeps its mode through writeFileSync
  writeFileSync(paths.cert, pair.certPem, { mode: 0o644 });
}

/** Reads a PEM file, or undefined when it does not exist. */
export function readPemIfAny(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw userError('E_CERTS_READ', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** The mesh CA of a folder (certificate and key), or a coded error naming the fix. */
export function readCa(dir: string): CertPair {
  const p = caPaths(dir);
  const certPem = readPemIfAny(p.cert);
  const keyPem = readPemIfAny(p.key);
  if (certPem === undefined || keyPem === undefined)
    throw userError('E_CERTS_NO_CA', `no mesh CA in ${dir} (${p.cert} and ${p.key})`, undefined, { dir });
  return { certPem, keyPem };
}
