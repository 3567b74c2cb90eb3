// A request body's JSON as CouchDB reads it: couch_util:json_decode (jiffy) decodes the WHOLE body to
// Erlang terms before any handler sees it, and fails the request as {invalid_json, _} (400
// bad_request "invalid UTF-8 JSON") on a syntax error and on a float out of a double's range
// (`1e400`, `-1.5e999`): jiffy has no term for it. So one such number anywhere (one doc of a
// `_bulk_docs`, a nested member) refuses the whole request, never one doc alone.
import { type JsonNode, JsonSyntaxError, scanJson } from '../../couchdb/json-scan.ts';
import { badRequest } from '../engine/errors.ts';

// A finite double needs fewer than 309 integer digits and an exponent under 1000: only a number
// lexeme with a 3-digit exponent or a 309-digit run can overflow, so the tree is walked only then.
const MAY_OVERFLOW = /\d[eE][+-]?\d{3}|\d{309}/;

export function scanRequestJson(text: string): JsonNode {
  let node: JsonNode;
  try {
    node = scanJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw badRequest('invalid UTF-8 JSON');
    throw e;
  }
  if (MAY_OVERFLOW.test(text) && hasOverflowingFloat(text, node)) throw badRequest('invalid UTF-8 JSON');
  return node;
}

/** A float lexeme (with a fraction or an exponent) that is not a finite double; integers are bignums in Erlang. */
function hasOverflowingFloat(text: string, node: JsonNode): boolean {
  const stack: JsonNode[] = [node];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.t === 'obj') for (const [, v] of n.entries) stack.push(v);
    else if (n.t === 'arr') for (const v of n.items) stack.push(v);
    else if (n.t === 'num') {
      const lexeme = text.slice(n.s, n.e);
      if (/[.eE]/.test(lexeme) && !Number.isFinite(Number(lexeme))) return true;
    }
  }
  return false;
}
