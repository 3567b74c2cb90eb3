import { checkConflicts } from './conflicts.ts';
import type { ResolveContext } from './context.ts';
import { isMapping } from './nodes.ts';
import { DatabaseEntrySchema, DatabaseObjectSchema } from './schema.ts';
import type { DatabaseSpec } from './types.ts';
import { describeValue, parseAt } from './zod-issues.ts';

/** `databases:` entries (a name, or `{ name, q?, n?, security?, conflicts? }`), each name once. */
export function checkDatabases(raw: unknown, { sink }: ResolveContext): DatabaseSpec[] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    sink.error('E_NO_DATABASES', raw === undefined ? [] : ['databases'], 'the mesh replicates no databases', {
      expected: 'databases: a list of database names, e.g. [sensors]',
      hint: 'list the databases every link should carry',
    });
    return [];
  }
  if (!Array.isArray(raw)) {
    sink.error('E_TYPE', ['databases'], `got ${describeValue(raw)}`, {
      expected: 'a list of database names',
      hint: typeof raw === 'string' ? `write databases: [${raw}]` : undefined,
    });
    return [];
  }
  const out: DatabaseSpec[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    const name = typeof entry === 'string' ? entry : isMapping(entry) ? entry.name : undefined;
    if (typeof name === 'string' && name.startsWith('_')) {
      const path = typeof entry === 'string' ? ['databases', i] : ['databases', i, 'name'];
      sink.error('E_SYSTEM_DATABASE', path, `'${name}' is a system database`, {
        expected: 'an application database name (lowercase letter first)',
        hint: 'couchmesh manages _replicator itself and does not replicate system databases',
      });
      return;
    }
    // a mapping is parsed as one, so a bad `security` list is reported at its own path, not the union's
    const schema = isMapping(entry) ? DatabaseObjectSchema : DatabaseEntrySchema;
    // `conflicts` is checked on its own (checkConflicts), against the schema of the strategy it names
    const { conflicts, ...plain } = isMapping(entry) ? entry : { conflicts: undefined };
    const parsed = parseAt(schema, isMapping(entry) ? plain : entry, ['databases', i], sink);
    const settings =
      conflicts === undefined ? undefined : checkConflicts(conflicts, ['databases', i, 'conflicts'], sink);
    if (parsed === undefined || (conflicts !== undefined && settings === undefined)) return;
    const db: DatabaseSpec = typeof parsed === 'string' ? { name: parsed } : { name: parsed.name };
    if (settings) db.conflicts = settings;
    if (typeof parsed !== 'string') {
      if (parsed.security) db.security = parsed.security;
      if (parsed.q !== undefined) db.q = parsed.q;
      if (parsed.n !== undefined) db.n = parsed.n;
    }
    const first = seen.get(db.name);
    if (first !== undefined) {
      sink.error('E_DUPLICATE_DATABASE', ['databases', i], `database '${db.name}' is listed twice`, {
        expected: 'each database once',
        hint: `it is already listed at databases[${first}] (line ${sink.lineOf(['databases', first])})`,
      });
      return;
    }
    seen.set(db.name, i);
    out.push(db);
  });
  return out;
}
