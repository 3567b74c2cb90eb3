import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { userError } from '../core/errors.ts';
import { type ValidationResult, validateMesh } from './validate.ts';

/** `-f` if given, else $COUCHMESH_FILE, else ./mesh.yaml. */
export function meshFilePath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return flag || env.COUCHMESH_FILE || 'mesh.yaml';
}

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Check that password_env variables are set and referenced files exist (plan/apply need them; graph does not). */
  checkReferences: boolean;
  /** with checkReferences: the replication users' passwords too (default true; only plan/apply use them) */
  replicationUsers?: boolean;
}

/** Reads and validates a mesh file (the I/O edge around the pure validateMesh). */
export function loadMeshFile(file: string, options: LoadOptions): ValidationResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw userError(
        'E_MESH_NOT_FOUND',
        `no mesh file at ${file}`,
        "run 'couchmesh init' to write a starter, or pass -f PATH (or set COUCHMESH_FILE)",
        { file },
      );
    throw userError('E_MESH_READ', `cannot read ${file}: ${code ?? (e as Error).message}`, undefined, {
      file,
    });
  }
  return validateMesh(text, {
    file,
    baseDir: dirname(resolve(file)),
    references: options.checkReferences
      ? {
          env: options.env,
          fileExists: existsSync,
          fileStat,
          replicationUsers: options.replicationUsers !== false,
        }
      : undefined,
  });
}

/** Mode, size and readability of a secret file (validate warns about 0644 and refuses unreadable ones). */
function fileStat(path: string): { readable: boolean; mode: number; size: number } | undefined {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  let readable = true;
  try {
    accessSync(path, constants.R_OK);
  } catch {
    readable = false;
  }
  return { readable, mode: Number(st.mode) & 0o777, size: Number(st.size) };
}
