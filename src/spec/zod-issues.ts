import type { z } from 'zod';
import type { PathSeg } from './diagnostic.ts';
import { type FieldHint, fieldHints } from './hints.ts';
import type { DiagnosticSink } from './sink.ts';
import { didYouMean, listNames } from './suggest.ts';

type AnySchema = z.core.$ZodType;
type Def = { type: string; [k: string]: unknown };

function defOf(s: AnySchema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schemas a wrapper chain consists of, outermost first (`default(optional(string))`). */
function layers(s: AnySchema): AnySchema[] {
  const out = [s];
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.in as AnySchema;
    else return out;
    out.push(s);
  }
}

/** The schema of the field at `path` below `root` (undefined where a union makes it ambiguous). */
export function schemaAt(root: AnySchema, path: readonly PathSeg[]): AnySchema[] | undefined {
  let chain = layers(root);
  for (const seg of path) {
    const inner = chain[chain.length - 1]!;
    const def = defOf(inner);
    let next: AnySchema | undefined;
    if (def.type === 'object') next = (def.shape as Record<string, AnySchema>)[String(seg)] ?? undefined;
    else if (def.type === 'record') next = def.valueType as AnySchema;
    else if (def.type === 'array') next = def.element as AnySchema;
    else if (def.type === 'tuple') next = (def.items as AnySchema[])[Number(seg)];
    if (!next) return undefined;
    chain = layers(next);
  }
  return chain;
}

function hintOf(chain: AnySchema[] | undefined): FieldHint {
  for (const s of chain ?? []) {
    const h = fieldHints.get(s);
    if (h) return h;
  }
  return {};
}

function valueAt(value: unknown, path: readonly PathSeg[]): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(v) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  tuple: 'a list',
};

/** Values we may repeat in messages (never anything under `auth`, which could be a secret). */
function show(v: unknown, path: readonly PathSeg[]): string {
  if (path.includes('auth')) return describeValue(v);
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return describeValue(v);
}

function unionExpected(issue: { errors?: unknown[][] }): string {
  const parts: string[] = [];
  for (const branch of issue.errors ?? []) {
    const first = branch[0] as { code?: string; expected?: string; values?: unknown[] } | undefined;
    if (first?.code === 'invalid_type' && first.expected)
      parts.push(TYPE_NAMES[first.expected] ?? first.expected);
    else if (first?.code === 'invalid_value')
      parts.push((first.values ?? []).map((v) => `'${v}'`).join(' or '));
  }
  return [...new Set(parts)].join(' or ');
}

/**
 * Parses `value` (found at `path` in the file) with `schema`, reporting every issue as a
 * diagnostic with our wording (expected / hint / did you mean). Returns the data when it is valid.
 */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: readonly PathSeg[],
  sink: DiagnosticSink,
): z.output<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) report(schema, value, path, issue, sink);
  return undefined;
}

/**
 * Like parseAt, but when the only trouble is unknown keys at the top of the object (typos), still
 * returns the data so the entry's other checks run (its errors are reported all the same).
 */
export function parseLenient<S extends z.ZodObject>(
  schema: S,
  value: unknown,
  path: readonly PathSeg[],
  sink: DiagnosticSink,
): z.output<S> | undefined {
  const strict = parseAt(schema, value, path, sink);
  if (strict !== undefined) return strict;
  const loose = schema.strip().safeParse(value);
  return loose.success ? (loose.data as z.output<S>) : undefined;
}

function report(
  schema: AnySchema,
  value: unknown,
  base: readonly PathSeg[],
  issue: z.core.$ZodIssue,
  sink: DiagnosticSink,
): void {
  const rel = issue.path as PathSeg[];
  const path = [...base, ...rel];
  const field = String(rel[rel.length - 1] ?? base[base.length - 1] ?? 'value');
  const chain = schemaAt(schema, rel);
  const fieldHint = hintOf(chain);
  const got = valueAt(value, rel);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const objectChain = schemaAt(schema, rel);
      const inner = objectChain?.[objectChain.length - 1];
      const known = inner && defOf(inner).type === 'object' ? Object.keys(defOf(inner).shape as object) : [];
      for (const key of issue.keys) {
        if (key === 'password' && known.includes('password_env')) {
          sink.error('E_INLINE_PASSWORD', [...path, key], 'inline passwords are not allowed in mesh.yaml', {
            key: true,
            expected: 'password_env: VAR or password_file: path',
            hint: 'reference the password instead: password_env names an environment variable, password_file a file holding only the password',
          });
          continue;
        }
        sink.error('E_UNKNOWN_KEY', [...path, key], `unknown key '${key}'`, {
          key: true,
          expected: known.length ? `one of ${listNames(known)}` : undefined,
          hint: didYouMean(key, known) ?? 'remove it (keys are case-sensitive)',
        });
      }
      return;
    }
    case 'invalid_type': {
      const expected = fieldHint.expected ?? TYPE_NAMES[issue.expected] ?? issue.expected;
      if (got === undefined) {
        sink.error('E_MISSING', path, `missing required field '${field}'`, {
          expected,
          hint: fieldHint.hint,
        });
        return;
      }
      sink.error('E_TYPE', path, `got ${show(got, path)}`, { expected, hint: fieldHint.hint });
      return;
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      sink.error('E_VALUE', path, `got ${show(got, path)}`, {
        expected: fieldHint.expected ?? `one of ${options.join(', ')}`,
        hint: (typeof got === 'string' ? didYouMean(got, options) : undefined) ?? fieldHint.hint,
      });
      return;
    }
    case 'invalid_format':
      // Our regexes carry the expected text as their message.
      sink.error('E_FORMAT', path, `${show(got, path)} is not valid`, {
        expected: issue.message,
        hint: fieldHint.hint,
      });
      return;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(
        small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum,
      );
      const incl = issue.inclusive !== false;
      let expected: string;
      let message: string;
      if (issue.origin === 'array' || issue.origin === 'set') {
        const n = Array.isArray(got) ? got.length : 0;
        message = `got ${n} item${n === 1 ? '' : 's'}`;
        expected = `${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
      } else if (issue.origin === 'string') {
        message = 'got an empty string';
        expected = `at least ${bound} character${bound === 1 ? '' : 's'}`;
      } else {
        message = `got ${show(got, path)}`;
        expected = `a number ${small ? (incl ? '>=' : '>') : incl ? '<=' : '<'} ${bound}`;
      }
      sink.error('E_RANGE', path, message, {
        expected: fieldHint.expected ?? expected,
        hint: fieldHint.hint,
      });
      return;
    }
    case 'invalid_union':
      sink.error('E_TYPE', path, `got ${describeValue(got)}`, {
        expected: fieldHint.expected ?? unionExpected(issue as { errors?: unknown[][] }),
        hint: fieldHint.hint,
      });
      return;
    default:
      sink.error('E_INVALID', path, issue.message, { expected: fieldHint.expected, hint: fieldHint.hint });
  }
}
