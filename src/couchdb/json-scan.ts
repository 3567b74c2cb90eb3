/**
 * Lossless JSON scanner (RFC 8259).
 *
 * `scanJson(text)` parses exactly one JSON value (whitespace allowed around it) and returns a tree
 * that records, for every value, its start/end offsets in `text`. Objects keep their entries in text
 * order (integer-like keys and duplicate keys included: nothing is reordered or dropped), numbers
 * keep their lexeme (`text.slice(s, e)`), strings and keys are decoded.
 *
 * It is a single-pass char-code scanner with no regular expressions; it sits on the hot path of
 * document ingestion. Nesting deeper than {@link MAX_DEPTH} is rejected.
 *
 * Acceptance matches `JSON.parse` (except the depth limit): lone surrogates, raw or escaped, are
 * accepted as JS does; unescaped control characters (U+0000..U+001F) in strings, leading zeros,
 * `+1`, `.5`, `1.`, single quotes, comments, trailing commas and a BOM are rejected.
 */

export type JsonNode =
  | { t: 'obj'; s: number; e: number; entries: Array<[string, JsonNode]> }
  | { t: 'arr'; s: number; e: number; items: JsonNode[] }
  | { t: 'str'; s: number; e: number; value: string }
  | { t: 'num'; s: number; e: number }
  | { t: 'true' | 'false' | 'null'; s: number; e: number };

export type JsonObjNode = Extract<JsonNode, { t: 'obj' }>;
export type JsonArrNode = Extract<JsonNode, { t: 'arr' }>;

/** Maximum container nesting accepted by {@link scanJson} (a top-level object or array is depth 1). */
export const MAX_DEPTH = 1000;

export class JsonSyntaxError extends Error {
  /** Offset in the source text (UTF-16 code units) where the error was detected. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
    this.position = position;
  }
}

// Scanner state: module-level so the hot functions below take no closure or `this`.
// scanJson is synchronous and not re-entrant, so this is safe.
let src = '';
let pos = 0;
let end = 0;

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_0 = 48;
const CH_1 = 49;
const CH_9 = 57;
const CH_COLON = 58;
const CH_UPPER_E = 69;
const CH_LBRACKET = 91;
const CH_BACKSLASH = 92;
const CH_RBRACKET = 93;
const CH_LOWER_E = 101;
const CH_LOWER_F = 102;
const CH_LOWER_N = 110;
const CH_LOWER_T = 116;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

/** Parses one JSON value; throws {@link JsonSyntaxError} on anything `JSON.parse` would reject (or depth > 1000). */
export function scanJson(text: string): JsonNode {
  src = text;
  pos = 0;
  end = text.length;
  try {
    skipWs();
    const node = parseValue(0);
    skipWs();
    if (pos < end) fail('unexpected character after JSON value');
    return node;
  } finally {
    src = '';
  }
}

/** The exact source text of a node (for a number: its lexeme). */
export function rawText(text: string, node: JsonNode): string {
  return text.slice(node.s, node.e);
}

/**
 * The plain JS value of a node, identical to what `JSON.parse(rawText(text, node))` returns; with
 * `number`, each number is what it makes of its lexeme instead (e.g. a value that keeps `1.0`).
 */
export function toValue(text: string, node: JsonNode, number?: (lexeme: string) => unknown): unknown {
  switch (node.t) {
    case 'str':
      return node.value;
    case 'num':
      return number ? number(text.slice(node.s, node.e)) : Number(text.slice(node.s, node.e));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    case 'arr': {
      const items = node.items;
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) out[i] = toValue(text, items[i]!, number);
      return out;
    }
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) {
        if (k === '__proto__') {
          // JSON.parse creates an own property; plain assignment would set the prototype instead.
          Object.defineProperty(out, k, {
            value: toValue(text, v, number),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else {
          out[k] = toValue(text, v, number);
        }
      }
      return out;
    }
  }
}

/**
 * The value of `key` in an object node (undefined for a missing key or a non-object node).
 * With duplicate keys the last one wins, as with `JSON.parse`.
 */
export function getEntry(node: JsonNode, key: string): JsonNode | undefined {
  if (node.t !== 'obj') return undefined;
  const entries = node.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (entry[0] === key) return entry[1];
  }
  return undefined;
}

function fail(message: string, at: number = pos): never {
  throw new JsonSyntaxError(message, at);
}

function skipWs(): void {
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === CH_SPACE || c === CH_LF || c === CH_CR || c === CH_TAB) pos++;
    else return;
  }
}

function parseValue(depth: number): JsonNode {
  if (pos >= end) fail('unexpected end of JSON input');
  const c = src.charCodeAt(pos);
  const s = pos;
  switch (c) {
    case CH_QUOTE: {
      const value = parseString();
      return { t: 'str', s, e: pos, value };
    }
    case CH_LBRACE:
      return parseObject(depth + 1);
    case CH_LBRACKET:
      return parseArray(depth + 1);
    case CH_LOWER_T:
      if (src.startsWith('true', pos)) {
        pos += 4;
        return { t: 'true', s, e: pos };
      }
      return fail('invalid literal');
    case CH_LOWER_F:
      if (src.startsWith('false', pos)) {
        pos += 5;
        return { t: 'false', s, e: pos };
      }
      return fail('invalid literal');
    case CH_LOWER_N:
      if (src.startsWith('null', pos)) {
        pos += 4;
        return { t: 'null', s, e: pos };
      }
      return fail('invalid literal');
    default:
      if (c === CH_MINUS || (c >= CH_0 && c <= CH_9)) {
        scanNumber();
        return { t: 'num', s, e: pos };
      }
      return fail('unexpected character');
  }
}

function parseObject(depth: number): JsonNode {
  if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
  const s = pos;
  pos++; // {
  const entries: Array<[string, JsonNode]> = [];
  skipWs();
  if (pos < end && src.charCodeAt(pos) === CH_RBRACE) {
    pos++;
    return { t: 'obj', s, e: pos, entries };
  }
  for (;;) {
    if (pos >= end) fail('unexpected end of JSON input');
    if (src.charCodeAt(pos) !== CH_QUOTE) fail('expected a string key');
    const key = parseString();
    skipWs();
    if (pos >= end) fail('unexpected end of JSON input');
    if (src.charCodeAt(pos) !== CH_COLON) fail("expected ':'");
    pos++;
    skipWs();
    entries.push([key, parseValue(depth)]);
    skipWs();
    if (pos >= end) fail('unexpected end of JSON input');
    const c = src.charCodeAt(pos);
    if (c === CH_COMMA) {
      pos++;
      skipWs();
    } else if (c === CH_RBRACE) {
      pos++;
      return { t: 'obj', s, e: pos, entries };
    } else {
      fail("expected ',' or '}'");
    }
  }
}

function parseArray(depth: number): JsonNode {
  if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
  const s = pos;
  pos++; // [
  const items: JsonNode[] = [];
  skipWs();
  if (pos < end && src.charCodeAt(pos) === CH_RBRACKET) {
    pos++;
    return { t: 'arr', s, e: pos, items };
  }
  for (;;) {
    items.push(parseValue(depth));
    skipWs();
    if (pos >= end) fail('unexpected end of JSON input');
    const c = src.charCodeAt(pos);
    if (c === CH_COMMA) {
      pos++;
      skipWs();
    } else if (c === CH_RBRACKET) {
      pos++;
      return { t: 'arr', s, e: pos, items };
    } else {
      fail("expected ',' or ']'");
    }
  }
}

/** pos is on the opening quote; leaves pos after the closing quote and returns the decoded string. */
function parseString(): string {
  const start = ++pos;
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === CH_QUOTE) {
      const value = src.slice(start, pos);
      pos++;
      return value;
    }
    if (c === CH_BACKSLASH) return parseStringEscaped(start);
    if (c < 0x20) fail('control character in string');
    pos++;
  }
  return fail('unterminated string');
}

/** Slow path: the string has at least one escape; pos is on the first backslash. */
function parseStringEscaped(start: number): string {
  let out = '';
  let chunk = start;
  while (pos < end) {
    const c = src.charCodeAt(pos);
    if (c === CH_QUOTE) {
      out += src.slice(chunk, pos);
      pos++;
      return out;
    }
    if (c === CH_BACKSLASH) {
      out += src.slice(chunk, pos);
      pos++;
      if (pos >= end) break;
      const esc = src.charCodeAt(pos);
      switch (esc) {
        case CH_QUOTE:
          out += '"';
          break;
        case CH_BACKSLASH:
          out += '\\';
          break;
        case 47: // /
          out += '/';
          break;
        case 98: // b
          out += '\b';
          break;
        case CH_LOWER_F:
          out += '\f';
          break;
        case CH_LOWER_N:
          out += '\n';
          break;
        case 114: // r
          out += '\r';
          break;
        case CH_LOWER_T:
          out += '\t';
          break;
        case 117: {
          // u
          if (pos + 4 >= end) fail('unterminated \\u escape');
          const code =
            (hex(src.charCodeAt(pos + 1)) << 12) |
            (hex(src.charCodeAt(pos + 2)) << 8) |
            (hex(src.charCodeAt(pos + 3)) << 4) |
            hex(src.charCodeAt(pos + 4));
          if (code < 0) fail('invalid \\u escape');
          out += String.fromCharCode(code);
          pos += 4;
          break;
        }
        default:
          fail('invalid escape');
      }
      pos++;
      chunk = pos;
      continue;
    }
    if (c < 0x20) fail('control character in string');
    pos++;
  }
  return fail('unterminated string');
}

/** Value of one hex digit, or -1 (all bits set: shifting and OR-ing the four keeps the result negative). */
function hex(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0;
  const l = c | 0x20; // lower-case letters
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** pos is on '-' or a digit; leaves pos after the number lexeme. */
function scanNumber(): void {
  if (src.charCodeAt(pos) === CH_MINUS) pos++;
  let c = src.charCodeAt(pos); // NaN past the end: every comparison below is false
  if (c === CH_0) {
    pos++;
    c = src.charCodeAt(pos);
    if (c >= CH_0 && c <= CH_9) fail('leading zero in number');
  } else if (c >= CH_1 && c <= CH_9) {
    do c = src.charCodeAt(++pos);
    while (c >= CH_0 && c <= CH_9);
  } else {
    fail('invalid number');
  }
  if (c === CH_DOT) {
    c = src.charCodeAt(++pos);
    if (!(c >= CH_0 && c <= CH_9)) fail('expected a digit after the decimal point');
    do c = src.charCodeAt(++pos);
    while (c >= CH_0 && c <= CH_9);
  }
  if (c === CH_LOWER_E || c === CH_UPPER_E) {
    c = src.charCodeAt(++pos);
    if (c === CH_PLUS || c === CH_MINUS) c = src.charCodeAt(++pos);
    if (!(c >= CH_0 && c <= CH_9)) fail('expected a digit in the exponent');
    do c = src.charCodeAt(++pos);
    while (c >= CH_0 && c <= CH_9);
  }
}
