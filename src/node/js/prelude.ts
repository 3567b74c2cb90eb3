/**
 * What a design-document function sees besides its arguments, as CouchDB's JavaScript query server
 * (share/server/util.js, filter.js, validate.js) provides it: `log`, `isArray`, `toJSON`, `sum`,
 * `emit` while a map runs as a `_view` filter, and `require` answering a clear error (CommonJS
 * modules in design docs are not implemented here). Then the batch runners the host calls: one VM
 * call per batch of documents, never one per document (a VM call costs about as much as a write).
 */
export const PRELUDE = String.raw`
"use strict";
var __fns = Object.create(null);
var __logs = [];
function log(m) { if (__logs.length < 100) __logs.push(typeof m === 'string' ? m : JSON.stringify(m)); }
function isArray(a) { return Array.isArray(a); }
function toJSON(v) { return JSON.stringify(v); }
function sum(xs) { var s = 0; for (var i = 0; i < xs.length; i++) s += xs[i]; return s; }
function require(name) {
  throw { error: 'not_implemented', reason: 'CommonJS require() in design documents is not implemented by this node: ' + name };
}
var __emitted = false;
function emit(k, v) { __emitted = true; }
function __compile(input) {
  var a = JSON.parse(input), key = a[0], src = a[1];
  var fn = (0, eval)('(' + src + '\n)');
  if (typeof fn !== 'function') throw { error: 'compilation_error', reason: 'Expression does not eval to a function. (' + key + ')' };
  __fns[key] = fn;
  return 'ok';
}
function __drop(prefix) { for (var k in __fns) if (k.indexOf(prefix) === 0) delete __fns[k]; return 'ok'; }
// CouchDB's validate.js: a thrown {forbidden} / {unauthorized} object is the answer; an Error is a
// bug in the function (query server's handleError: name and message)
function __verdict(e) {
  // out of memory, stack overflow: the heap is not to be trusted, the host resets it
  if (e instanceof Error && e.name === 'InternalError') throw e;
  if (e && typeof e === 'object' && !(e instanceof Error)) {
    if (typeof e.forbidden !== 'undefined') return { forbidden: String(e.forbidden) };
    if (typeof e.unauthorized !== 'undefined') return { unauthorized: String(e.unauthorized) };
    if (typeof e.error === 'string') return { error: e.error, reason: String(e.reason) };
    var k = Object.keys(e)[0];
    return { error: 'unknown_error', reason: k === undefined ? '' : String(e[k]) };
  }
  if (e instanceof Error) return { error: e.name || 'Error', reason: (e.name || 'Error') + ': ' + e.message };
  return { error: 'unknown_error', reason: String(e) };
}
function __vdu(input) {
  var a = JSON.parse(input), out = [];
  var fns = a.fns.map(function (k) { return __fns[k]; });
  for (var i = 0; i < a.docs.length; i++) {
    var d = a.docs[i], v = null;
    for (var j = 0; j < fns.length && v === null; j++) {
      try { fns[j](d[0], d[1], a.userCtx, a.secObj); } catch (e) { v = __verdict(e); }
    }
    out.push(v);
  }
  return JSON.stringify(out);
}
function __filter(input) {
  var a = JSON.parse(input), fn = __fns[a.fn], out = [];
  for (var i = 0; i < a.docs.length; i++) {
    try { out.push(fn(a.docs[i], a.req) ? 1 : 0); } catch (e) { return JSON.stringify({ failed: __verdict(e) }); }
  }
  return JSON.stringify(out);
}
function __mapFilter(input) {
  var a = JSON.parse(input), fn = __fns[a.fn], out = [];
  for (var i = 0; i < a.docs.length; i++) {
    __emitted = false;
    try { fn(a.docs[i]); } catch (e) { __verdict(e); __emitted = false; }
    out.push(__emitted ? 1 : 0);
  }
  return JSON.stringify(out);
}
`;
