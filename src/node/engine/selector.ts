/**
 * Mango selector matching (CouchDB `_find` / `_changes?filter=_selector` semantics) for the
 * operators replication filters use. Comparison follows CouchDB's collation order of JSON types:
 * null < false < true < numbers < strings < arrays < objects.
 */
import { RE2JS } from 're2js';

// `$regex` runs on RE2 (linear time, as a regex from an anonymous request must): a backtracking
// engine lets `^(a+)+$` block the node for seconds per character. Patterns RE2 cannot express
// (backreferences, lookaround) are refused as an invalid selector rather than run unsafely.
const regexCache = new Map<string, RE2JS>();
function compileRegex(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Selector = { [k: string]: unknown };

const typeRank = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  if (v === false) return 1;
  if (v === true) return 2;
  if (typeof v === 'number') return 3;
  if (typeof v === 'string') return 4;
  if (Array.isArray(v)) return 5;
  return 6;
};

export function collate(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 3) return (a as number) - (b as number);
  if (ra === 4) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ra === 5) {
    const x = a as unknown[];
    const y = b as unknown[];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = collate(x[i], y[i]);
      if (c) return c;
    }
    return x.length - y.length;
  }
  if (ra === 6) return collate(Object.entries(a as object), Object.entries(b as object));
  return 0;
}

function getField(doc: unknown, path: string): { found: boolean; value: unknown } {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(part in (cur as object)))
      return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

const TYPE_NAMES: Record<string, (v: unknown) => boolean> = {
  null: (v) => v === null,
  boolean: (v) => typeof v === 'boolean',
  number: (v) => typeof v === 'number',
  string: (v) => typeof v === 'string',
  array: (v) => Array.isArray(v),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

function matchOp(op: string, arg: unknown, field: { found: boolean; value: unknown }): boolean {
  const v = field.value;
  switch (op) {
    case '$eq':
      return field.found && collate(v, arg) === 0;
    case '$ne':
      return !field.found || collate(v, arg) !== 0;
    case '$gt':
      return field.found && collate(v, arg) > 0;
    case '$gte':
      return field.found && collate(v, arg) >= 0;
    case '$lt':
      return field.found && collate(v, arg) < 0;
    case '$lte':
      return field.found && collate(v, arg) <= 0;
    case '$exists':
      return field.found === arg;
    case '$type':
      return field.found && !!TYPE_NAMES[arg as string]?.(v);
    case '$in':
      return (
        field.found &&
        Array.isArray(arg) &&
        arg.some((x) => (Array.isArray(v) ? v.some((e) => collate(e, x) === 0) : collate(v, x) === 0))
      );
    case '$nin':
      return field.found && Array.isArray(arg) && !arg.some((x) => collate(v, x) === 0);
    case '$size':
      return Array.isArray(v) && v.length === arg;
    case '$mod':
      return (
        typeof v === 'number' &&
        Array.isArray(arg) &&
        Number.isInteger(v) &&
        v % (arg[0] as number) === arg[1]
      );
    case '$regex':
      return typeof v === 'string' && typeof arg === 'string' && compileRegex(arg).matcher(v).find();
    case '$all':
      return Array.isArray(v) && Array.isArray(arg) && arg.every((x) => v.some((e) => collate(e, x) === 0));
    case '$elemMatch':
      return Array.isArray(v) && v.some((e) => matchValue(e, arg));
    case '$allMatch':
      return Array.isArray(v) && v.length > 0 && v.every((e) => matchValue(e, arg));
    case '$not':
      return !matchCondition(arg, field);
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

function matchCondition(cond: unknown, field: { found: boolean; value: unknown }): boolean {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    const entries = Object.entries(cond);
    if (entries.length && entries.every(([k]) => k.startsWith('$')))
      return entries.every(([op, arg]) => matchOp(op, arg, field));
    // nested object selector
    return field.found && matchSelector(field.value, cond as Selector);
  }
  return matchOp('$eq', cond, field);
}

function matchValue(value: unknown, cond: unknown): boolean {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    const keys = Object.keys(cond);
    if (keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor'].includes(k)))
      return matchCondition(cond, { found: true, value });
    return matchSelector(value, cond as Selector);
  }
  return collate(value, cond) === 0;
}

export function matchSelector(doc: unknown, selector: Selector): boolean {
  for (const [k, cond] of Object.entries(selector)) {
    if (k === '$and') {
      if (!(cond as Selector[]).every((s) => matchSelector(doc, s))) return false;
    } else if (k === '$or') {
      if (!(cond as Selector[]).some((s) => matchSelector(doc, s))) return false;
    } else if (k === '$nor') {
      if ((cond as Selector[]).some((s) => matchSelector(doc, s))) return false;
    } else if (k === '$not') {
      if (matchSelector(doc, cond as Selector)) return false;
    } else if (!matchCondition(cond, getField(doc, k))) return false;
  }
  return true;
}

export function isSelector(v: unknown): v is Selector {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ANY = () => true;
const isList = (a: unknown) => Array.isArray(a);
/** The argument each field operator takes (mango_selector:norm_ops); the matcher relies on these. */
const OPERATOR_ARGS: Record<string, (arg: unknown) => boolean> = {
  $eq: ANY,
  $ne: ANY,
  $gt: ANY,
  $gte: ANY,
  $lt: ANY,
  $lte: ANY,
  $exists: (a) => typeof a === 'boolean',
  $type: (a) => typeof a === 'string',
  $in: isList,
  $nin: isList,
  $all: isList,
  $size: (a) => Number.isInteger(a),
  $mod: (a) =>
    Array.isArray(a) && a.length === 2 && Number.isInteger(a[0]) && a[0] !== 0 && Number.isInteger(a[1]),
  $regex: (a) => {
    if (typeof a !== 'string') return false;
    try {
      compileRegex(a);
      return true;
    } catch {
      return false;
    }
  },
  $elemMatch: isSelector,
  $allMatch: isSelector,
  $not: isSelector,
};

/** Why {@link matchSelector} cannot evaluate `selector` (a 400 for the client), or undefined. */
export function selectorError(selector: unknown): string | undefined {
  if (!isSelector(selector)) return 'expected a JSON object';
  for (const [k, cond] of Object.entries(selector)) {
    let err: string | undefined;
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (!Array.isArray(cond)) return `${k} must be a list of selectors`;
      for (const s of cond) err ??= selectorError(s);
    } else if (k === '$not') err = selectorError(cond);
    else err = conditionError(cond);
    if (err) return err;
  }
  return undefined;
}

/** Mirrors matchCondition: an operator object, a nested selector, or a value to compare. */
function conditionError(cond: unknown): string | undefined {
  if (!isSelector(cond)) return undefined;
  const entries = Object.entries(cond);
  if (!entries.length || !entries.every(([k]) => k.startsWith('$'))) return selectorError(cond);
  for (const [op, arg] of entries) {
    const check = OPERATOR_ARGS[op];
    if (!check) return `invalid operator ${op}`;
    if (!check(arg)) return `bad argument for operator ${op}: ${JSON.stringify(arg)}`;
    if (op === '$not') {
      const err = conditionError(arg);
      if (err) return err;
    }
    if (op === '$elemMatch' || op === '$allMatch') {
      // as matchValue: an operator object applies to each element, anything else is a selector on it
      const keys = Object.keys(arg as object);
      const ops = keys.every((x) => x.startsWith('$') && !['$and', '$or', '$nor'].includes(x));
      const err = ops ? conditionError(arg) : selectorError(arg);
      if (err) return err;
    }
  }
  return undefined;
}

export type { Json };
