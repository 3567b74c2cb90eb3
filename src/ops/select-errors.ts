import { userError } from '../core/errors.ts';

/** The link named is not in the mesh (links are named a--b). */
export const noSuchLink = (arg: string, known: readonly string[]) =>
  userError(
    'E_NO_SUCH_LINK',
    `no link '${arg}' in this mesh`,
    `links are named a--b: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`,
    { link: arg },
  );

/** The database or direction asked for is not on the link, or a database must be chosen. */
export function selectionError(
  what: 'db' | 'db-required' | 'direction',
  key: string,
  options: readonly string[],
  asked?: string,
) {
  switch (what) {
    case 'db':
      return userError(
        'E_NO_SUCH_DB',
        `link ${key} does not carry database '${asked}'`,
        `its databases: ${options.join(', ')}`,
      );
    case 'db-required':
      return userError(
        'E_DB_REQUIRED',
        `link ${key} carries ${options.length} databases (${options.join(', ')})`,
        'choose one with --db NAME',
      );
    case 'direction':
      return userError(
        'E_NO_SUCH_DIRECTION',
        `link ${key} has no direction '${asked}'`,
        `use ${options.join(' or ')}`,
      );
  }
}
