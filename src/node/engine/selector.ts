/**
 * Mango selector matching (CouchDB `_find` / `_changes?filter=_selector` semantics) for the
 * operators replication filters use. Comparison follows CouchDB's collation order of JSON types:
 * null < false < true < numbers < strings < arrays < objects.
 */
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
      return typeof v === 'string' && typeof arg === 'string' && new RegExp(arg).test(v);
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

export type { Json };
