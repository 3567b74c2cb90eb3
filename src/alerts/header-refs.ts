/**
 * Webhook headers from references: `--webhook-header 'Authorization=env:HOOK_AUTH'` or
 * `'X-Token=file:/run/secrets/token'`. A header value is a secret, so it is read from the
 * environment or a file, never taken from the command line (where `ps` and shell history see it),
 * and errors name the header and its reference, never a value.
 */
import { readFileSync } from 'node:fs';
import { userError } from '../core/errors.ts';

export type HeaderRef = { name: string } & ({ env: string } | { file: string });

export interface HeaderSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
}

// RFC 9110 field-name token
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseHeaderRef(spec: string): HeaderRef {
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq).trim() : '';
  const ref = eq > 0 ? spec.slice(eq + 1) : '';
  const m = /^(env|file):(.+)$/.exec(ref);
  if (!TOKEN.test(name) || !m) {
    // the spec may be NAME=literal-secret: show the name only
    const shown = TOKEN.test(name) ? `'${name}=…'` : 'a header';
    throw userError(
      'E_WEBHOOK_HEADER',
      `--webhook-header ${shown} is not NAME=env:VARIABLE or NAME=file:PATH; values are never taken from the command line`,
    );
  }
  return m[1] === 'env' ? { name, env: m[2] as string } : { name, file: m[2] as string };
}

/** The header's value, read now; an unresolvable reference is a user error naming it. */
export function resolveHeaderRef(r: HeaderRef, sources: HeaderSources): string {
  const where = 'env' in r ? `environment variable ${r.env}` : `file ${r.file}`;
  let value: string | undefined;
  if ('env' in r) value = sources.env[r.env];
  else {
    try {
      // one trailing newline is how editors save files; it is not part of the value
      const read = sources.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
      value = read(r.file).replace(/\r?\n$/, '');
    } catch (e) {
      throw userError(
        'E_WEBHOOK_HEADER_REF',
        `webhook header ${r.name}: cannot read ${where} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        'check the path and its permissions',
        { header: r.name, file: r.file },
      );
    }
  }
  if (!value)
    throw userError(
      'E_WEBHOOK_HEADER_REF',
      `webhook header ${r.name}: ${where} is ${'env' in r ? 'not set' : 'empty'}`,
      'env' in r ? `export ${r.env}=… before running couchmesh` : 'write only the header value in it',
      { header: r.name, ...('env' in r ? { variable: r.env } : { file: r.file }) },
    );
  if (/[\r\n\0]/.test(value))
    throw userError(
      'E_WEBHOOK_HEADER_REF',
      `webhook header ${r.name}: the value from ${where} contains a line break`,
      'a header value is one line',
      { header: r.name },
    );
  return value;
}

/** Every `--webhook-header` spec, parsed and resolved into a header map. */
export function headersFromRefs(specs: readonly string[], sources: HeaderSources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const r = parseHeaderRef(s);
    out[r.name] = resolveHeaderRef(r, sources);
  }
  return out;
}
