/**
 * Canonical JSON for merged bodies: keys inserted in sorted order (UTF-16 code units), so they print
 * sorted, except that array-index-like keys ("2", "10") come first in numeric order, as JavaScript
 * objects always put them; no whitespace. Numbers keep the lexeme the document was written with
 * (`1.0`, `1e2`, `-0`, integers beyond 2^53: a `NumberText`), because CouchDB hashes the body text
 * as its jiffy decoder read it (`1.0` is a float, `1` an integer: different rev ids) and gives the
 * lexemes back to every reader; numbers a strategy computed print as JavaScript prints them. The text
 * is a function of the value alone, so two resolvers computing the same value send the same bytes,
 * and CouchDB gives the same revision id on the same parent.
 */
import { scanJson, toValue } from '../couchdb/json-scan.ts';

/**
 * A number whose lexeme JavaScript would print differently (`1.0`, `1e2`, `-0`, `12345678901234567890`),
 * kept as written. Its `toJSON` is the nearest double: a plain `JSON.stringify` (the audit trail)
 * loses the lexeme, `jsonText` keeps it.
 */
export class NumberText {
  constructor(readonly text: string) {}
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return Number(this.text);
  }
}

export type Json = null | boolean | number | NumberText | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumberText);
}

/** A JSON number as a value: a plain number when JavaScript prints it back as written, else a NumberText. */
const numberOf = (lexeme: string): number | NumberText => {
  const n = Number(lexeme);
  return String(n) === lexeme ? n : new NumberText(lexeme);
};

/**
 * Whether every number in a JSON text prints back as written in JavaScript, i.e. `JSON.parse` is
 * lossless for it. One pass over the text: strings are skipped by `indexOf` jumps to their closing
 * quote, and only number tokens that can differ (a fraction or exponent, more than 15 digits, `-0`)
 * are checked; several times cheaper than the lossless scanner, and about twice as cheap as a regex
 * pass. Most documents (`_bulk_get` answers of readings) hold only such numbers. Text that is not
 * JSON answers true: `JSON.parse` then names the problem.
 */
function exactInJs(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return true;
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \\ */) k--;
        if ((j - k) % 2 === 1) break; // an even number of backslashes: the quote closes the string
      }
      i = j + 1;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      let plain = true; // digits only (after an optional minus)
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d >= 48 && d <= 57) continue;
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) {
          plain = false; // . e E + -
          continue;
        }
        break;
      }
      // an integer of at most 15 digits prints back as written, except `-0`
      if (!plain || j - i > 15 || (j - i === 2 && c === 45 && text.charCodeAt(i + 1) === 48)) {
        const t = text.slice(i, j);
        if (String(Number(t)) !== t) return false;
      }
      i = j;
    } else i++;
  }
  return true;
}

/** `JSON.parse`, except that numbers keep their lexeme (see NumberText). Throws JsonSyntaxError. */
export function parseJsonLossless(text: string): Json {
  if (exactInJs(text))
    try {
      return JSON.parse(text) as Json;
    } catch {
      // not JSON: the scanner below names the problem as JsonSyntaxError
    }
  return toValue(text, scanJson(text), numberOf) as Json;
}

/** The numeric value of a number or NumberText; undefined for anything else. */
export function numericValue(v: Json | undefined): number | undefined {
  if (typeof v === 'number') return v;
  return v instanceof NumberText ? Number(v.text) : undefined;
}

/** A deep copy that keeps NumberTexts (structuredClone would turn them into plain objects). */
export function copyJson<T extends Json>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => copyJson(x)) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v)) out[k] = copyJson(v[k] as Json);
    return out as T;
  }
  return v;
}

/** A deep copy as plain JavaScript values (what `JSON.parse` would give): for code that is not ours. */
export function plainJson<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * The first number that JSON.parse cannot have carried exactly (an integer beyond 2^53, or not
 * finite), as a JSON path; undefined when every number is safe. Merging such a body would silently
 * change the number, so strategies decline instead.
 */
export function unsafeNumberPath(v: unknown, path = '$'): string | undefined {
  // a NumberText is exact by construction: only numbers held as doubles can be unsafe
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

/** A deep copy with every object's keys sorted; a computed `-0` becomes `0` (a written `-0` stays). */
export function canonical<T extends Json>(v: T): T {
  if (typeof v === 'number') return (Object.is(v, -0) ? 0 : v) as T;
  if (v instanceof NumberText) return v;
  if (Array.isArray(v)) return v.map((x) => canonical(x)) as T;
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k] as Json);
    return out as T;
  }
  return v;
}

/** The canonical text of a value (sorted keys at every level, lexemes kept). */
export function canonicalText(v: Json): string {
  return jsonText(canonical(v));
}

/**
 * `JSON.stringify` of a JSON value (keys in the object's own order), except that a NumberText prints
 * its lexeme. Non-JSON members (undefined, functions) are skipped as JSON.stringify skips them.
 */
export function jsonText(v: unknown): string {
  // JSON.stringify prints plain JSON values exactly as the walk below does, in native code
  if (plainTree(v)) return JSON.stringify(v);
  return slowText(v);
}

/** Only null, booleans, numbers, strings, arrays and plain objects (no NumberText, no toJSON). */
function plainTree(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'function';
  if (Array.isArray(v)) {
    for (const x of v) if (!plainTree(x)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (Object.hasOwn(v, k) && !plainTree((v as Record<string, unknown>)[k])) return false;
  return true;
}

function slowText(v: unknown): string {
  if (v instanceof NumberText) return v.text;
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : slowText(x))).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v))
      if (x !== undefined && typeof x !== 'function') parts.push(`${JSON.stringify(k)}:${slowText(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Deep equality, ignoring key order: what comparing canonical texts says (a NumberText equals only
 * the same lexeme, `-0` a computed `0`), without printing either value; stops at the first difference.
 */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a instanceof NumberText || b instanceof NumberText)
    return a instanceof NumberText && b instanceof NumberText
      ? a.text === b.text
      : canonicalText(a) === canonicalText(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameJson(a[k] as Json, b[k] as Json)) return false;
  return true;
}

/** Reads a dotted path (`meta.updated_at`); undefined when any step is missing. */
export function getPath(body: JsonObject, path: string): Json | undefined {
  // the common path has no dot: one property read, no array from split (several reads per document)
  if (path.indexOf('.') < 0) return isObject(body) && Object.hasOwn(body, path) ? body[path] : undefined;
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
