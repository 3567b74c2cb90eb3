import { userError } from '../core/errors.ts';
import type { NodeSpec } from './types.ts';

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
}

/** A node's credentials, for the HTTP client only: never log, print or serialise them. */
export interface ResolvedAuth {
  username: string;
  password: string;
}

/**
 * Reads a node's password from the place its `auth` references (call it only where a request is
 * about to be made). Errors name the variable or file, never a value.
 */
export function resolveAuth(node: NodeSpec, sources: SecretSources): ResolvedAuth | undefined {
  const auth = node.auth;
  if (!auth) return undefined;
  if (auth.password_env !== undefined) {
    const password = sources.env[auth.password_env];
    if (!password)
      throw userError(
        'E_CREDENTIAL_ENV',
        `environment variable ${auth.password_env} (password of '${auth.username}' on ${node.name}) is not set`,
        `export ${auth.password_env}=… before running couchmesh`,
        { node: node.name, variable: auth.password_env },
      );
    return { username: auth.username, password };
  }
  const file = auth.password_file!;
  let text: string;
  try {
    text = sources.readFile(file);
  } catch (e) {
    throw userError(
      'E_CREDENTIAL_FILE',
      `cannot read password file ${file} (password of '${auth.username}' on ${node.name}): ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      'check the path and its permissions',
      { node: node.name, file },
    );
  }
  // One trailing newline is how editors save files; it is not part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (!password)
    throw userError('E_CREDENTIAL_FILE', `password file ${file} is empty`, 'write only the password in it', {
      node: node.name,
      file,
    });
  return { username: auth.username, password };
}
