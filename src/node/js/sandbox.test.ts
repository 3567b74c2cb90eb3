// The sandbox alone: CouchDB's validate.js verdicts, the limits that stop a runaway function
// (deadline, memory, stack), and that the heap is rebuilt after each such stop.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { loadQuickJs, Sandbox, SandboxError } from './sandbox.ts';

let m: QuickJSWASMModule;
before(async () => {
  m = await loadQuickJs();
});

const LIMITS = { timeoutMs: 150, memoryBytes: 16 * 1024 * 1024, stackBytes: 256 * 1024 };

function vdu(sb: Sandbox, src: string, docs: unknown[]): unknown[] {
  sb.call('__compile', JSON.stringify(['k', src]));
  const input = {
    fns: ['k'],
    docs: docs.map((d) => [d, null]),
    userCtx: { name: null, roles: [] },
    secObj: {},
  };
  return JSON.parse(sb.call('__vdu', JSON.stringify(input))) as unknown[];
}

function stopped(fn: () => unknown, kind: SandboxError['kind']): void {
  assert.throws(fn, (e: unknown) => e instanceof SandboxError && e.kind === kind);
}

describe('verdicts (share/server/validate.js)', () => {
  test('forbidden, unauthorized, other thrown values and Errors, per document', () => {
    const sb = new Sandbox(m, LIMITS);
    const src = `function (d) {
      if (d.f) throw ({ forbidden: 'no' });
      if (d.u) throw ({ unauthorized: 'who?' });
      if (d.s) throw 'plain';
      if (d.e) null.x;
    }`;
    assert.deepEqual(vdu(sb, src, [{}, { f: 1 }, { u: 1 }, { s: 1 }, { e: 1 }]), [
      null,
      { forbidden: 'no' },
      { unauthorized: 'who?' },
      { error: 'unknown_error', reason: 'plain' },
      { error: 'TypeError', reason: "TypeError: cannot read property 'x' of null" },
    ]);
  });

  test('a source that is not a function, or does not parse, is refused at compile time', () => {
    const sb = new Sandbox(m, LIMITS);
    stopped(() => sb.call('__compile', JSON.stringify(['k', '42'])), 'error');
    stopped(() => sb.call('__compile', JSON.stringify(['k', 'function ( {'])), 'error');
  });

  test('require() answers a clear not-implemented error', () => {
    const sb = new Sandbox(m, LIMITS);
    assert.deepEqual(vdu(sb, 'function () { require("views/lib/x"); }', [{}]), [
      {
        error: 'not_implemented',
        reason: 'CommonJS require() in design documents is not implemented by this node: views/lib/x',
      },
    ]);
  });
});

describe('limits: a runaway function is stopped and the heap rebuilt', () => {
  // a deadline far off for the memory cases: the memory limit must be what stops them
  const MEM = { timeoutMs: 60_000, memoryBytes: 4 * 1024 * 1024, stackBytes: 256 * 1024 };
  for (const [name, src, kind, limits] of [
    ['while (true) {}', 'function () { while (true) {} }', 'timeout', LIMITS],
    [
      'allocating without end',
      'function () { var a = []; while (true) a.push({ n: a.length, s: "x" + a.length }); }',
      'memory',
      MEM,
    ],
    ['recursing without end', 'function f() { return f(); }', 'memory', MEM],
  ] as const)
    test(name, () => {
      const sb = new Sandbox(m, limits);
      const gen = sb.generation;
      stopped(() => vdu(sb, src, [{}]), kind);
      assert.ok(sb.generation > gen, 'the heap is thrown away');
      // the next call gets a fresh heap and works
      assert.deepEqual(vdu(sb, 'function (d) { if (!d.ok) throw ({ forbidden: "x" }); }', [{ ok: 1 }, {}]), [
        null,
        { forbidden: 'x' },
      ]);
    });

  test('an engine limit (a string past its maximum length) fails the call, never passes the doc', () => {
    const sb = new Sandbox(m, MEM);
    stopped(() => vdu(sb, 'function () { var s = "x"; while (true) s = s + s; }', [{}]), 'memory');
  });
});

describe('isolation', () => {
  test('two sandboxes share nothing', () => {
    const a = new Sandbox(m, LIMITS);
    const b = new Sandbox(m, LIMITS);
    vdu(a, 'function () { globalThis.leak = 1; }', [{}]);
    assert.deepEqual(
      vdu(b, 'function () { if (typeof leak !== "undefined") throw ({ forbidden: "leak" }); }', [{}]),
      [null],
    );
  });
});
