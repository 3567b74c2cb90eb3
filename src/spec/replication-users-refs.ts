/**
 * `couchmesh validate` (and every command that loads a mesh with its credentials) checks the
 * replication users' password references like a node's: every variable the mesh needs is set,
 * every file exists, is readable and not empty; a file other users may read (not 0600) is a
 * warning. Diagnostics name the variables and files, never a value.
 */
import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import type { ReplicationUsersSpec } from './types.ts';

/** `A, B, C and 7 more`: a 100-node mesh must not print 100 names on one line. */
export function listSome(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

const users = (names: string[]) => (names.length === 1 ? `user ${names[0]}` : `users ${listSome(names)}`);

/** Reports each kind of problem once, listing the variables or files concerned (`owners`: the users needed). */
export function checkReplicationRefs(
  r: ReplicationUsersSpec,
  owners: readonly string[],
  path: readonly PathSeg[],
  ctx: ResolveContext,
): void {
  const refs = ctx.references;
  if (!refs) return;
  const env: string[] = [];
  const envUsers: string[] = [];
  const problems = { missing: [] as string[], unreadable: [] as string[], empty: [] as string[] };
  const open: string[] = [];
  for (const owner of owners) {
    const u = r.users[owner];
    if (!u) continue;
    if (u.password_env !== undefined) {
      if (!refs.env[u.password_env]) {
        env.push(u.password_env);
        envUsers.push(u.username);
      }
      continue;
    }
    const file = u.password_file as string;
    const st = refs.fileStat
      ? refs.fileStat(file)
      : refs.fileExists(file)
        ? { readable: true, mode: 0o600, size: 1 }
        : undefined;
    if (!st) problems.missing.push(file);
    else if (!st.readable) problems.unreadable.push(file);
    else if (st.size === 0) problems.empty.push(file);
    else if (st.mode & 0o077) open.push(file);
  }
  const { sink } = ctx;
  if (env.length)
    sink.error(
      'E_CREDENTIAL_ENV',
      path,
      `replication-user password ${env.length === 1 ? 'variable' : 'variables'} not set: ${listSome(env)}`,
      {
        expected: `the password of replication ${users(envUsers)}`,
        hint: `export ${env.slice(0, 3).join('=… ')}=…${env.length > 3 ? ' (and the others)' : ''} before running couchmesh (or validate with --skip-credentials)`,
      },
    );
  const fileError = (files: string[], what: string, hint: string) => {
    if (files.length)
      sink.error(
        'E_CREDENTIAL_FILE',
        path,
        `replication-user password ${files.length === 1 ? 'file' : 'files'} ${what}: ${listSome(files)}`,
        {
          expected: 'a file holding only the password, readable by couchmesh',
          hint,
        },
      );
  };
  fileError(
    problems.missing,
    'missing',
    "create each (mode 0600) holding only the password; relative paths start at the mesh file's folder",
  );
  fileError(
    problems.unreadable,
    'not readable',
    'let the user running couchmesh read it (chmod 600, owned by that user)',
  );
  fileError(problems.empty, 'empty', 'write only the password in it');
  if (open.length)
    sink.warning(
      'W_SECRET_FILE_MODE',
      path,
      `replication-user password ${open.length === 1 ? 'file' : 'files'} readable by other users: ${listSome(open)}`,
      { hint: `chmod 600 ${open.length === 1 ? open[0] : 'each of them'}` },
    );
}
