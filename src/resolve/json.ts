/**
 * Canonical JSON for merged bodies: keys inserted in sorted order (UTF-16 code units), so
 * `JSON.stringify` prints them sorted, except that array-index-like keys ("2", "10") come first in
 * numeric order, as JavaScript objects always put them; numbers as JavaScript prints them (`1.0` ->
 * `1`, `1e21` -> `1e+21`); no whitespace. The text is a function of the value alone, so two resolvers
 * computing the same value send the same bytes, and CouchDB (which hashes key order and integer vs
 * float) gives the same revision id on the same parent.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The first number that JSON.parse cannot have carried exactly (an integer beyond 2^53, or not
 * finite), as a JSON path; undefined when every number is safe. Merging such a body would silently
 * change the number, so strategies decline instead.
 */
export function unsafeNumberPath(v: unknown, path = '$'): string | undefined {
  // the common answer (every number safe) without building a path string per value
  if (!hasUnsafeNumber(v)) return undefined;
  if (typeof v === 'number')
    return !Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)) ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unsafeNumberPath(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      const p = unsafeNumberPath(x, `${path}.${k}`);
      if (p) return p;
    }
  return undefined;
}

function hasUnsafeNumber(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v));
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (hasUnsafeNumber(x)) return true;
    return false;
  }
  for (const k in v) if (Object.hasOwn(v, k) && hasUnsafeNumber((v as JsonObject)[k])) return true;
  return false;
}

/** A deep copy with every object's keys sorted; `-0` becomes `0`. */
export function canonical<T extends Json>(v: T): T {
  if (typeof v === 'number') return (Object.is(v, -0) ? 0 : v) as T;
  if (Array.isArray(v)) return v.map((x) => canonical(x)) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k] as Json);
    return out as T;
  }
  return v;
}

/** The canonical text of a value (sorted keys at every level). */
export function canonicalText(v: Json): string {
  return JSON.stringify(canonical(v));
}

/** Deep equality, ignoring key order. */
export function sameJson(a: Json, b: Json): boolean {
  return canonicalText(a) === canonicalText(b);
}

/** Reads a dotted path (`meta.updated_at`); undefined when any step is missing. */
export function getPath(body: JsonObject, path: string): Json | undefined {
  let cur: Json | undefined = body;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = Object.hasOwn(cur, part) ? cur[part] : undefined;
  }
  return cur;
}

/** Sets (or, with `undefined`, removes) a dotted path in place, creating objects on the way. */
export function setPath(body: JsonObject, path: string, value: Json | undefined): void {
  const parts = path.split('.');
  let cur: JsonObject = body;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (!isObject(next)) {
      if (value === undefined) return;
      cur[part] = {};
    }
    cur = cur[part] as JsonObject;
  }
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}
