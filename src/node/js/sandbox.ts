import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { PRELUDE } from './prelude.ts';

/**
 * Limits of one sandbox. CouchDB bounds a query-server call by `[couchdb] os_process_timeout`
 * (5000 ms) and its QuickJS engine by a memory limit; a runaway function ends the call, never the node.
 */
export interface SandboxLimits {
  timeoutMs: number;
  memoryBytes: number;
  /** native stack for JS recursion; without it deep recursion overflows the host's stack */
  stackBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 5000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
};

/** Why a sandbox call did not answer: CouchDB's `os_process_error` family. */
export class SandboxError extends Error {
  constructor(
    readonly kind: 'timeout' | 'memory' | 'error',
    message: string,
  ) {
    super(message);
  }
}

let modulePromise: Promise<QuickJSWASMModule> | undefined;
let loaded: QuickJSWASMModule | undefined;

/** Loads the QuickJS WebAssembly module once per process (about 20 ms). */
export async function loadQuickJs(): Promise<QuickJSWASMModule> {
  modulePromise ??= newQuickJSWASMModuleFromVariant(
    // the package's types describe its CommonJS build; under ESM its default export is the variant
    releaseSync as unknown as QuickJSSyncVariant,
  ).then((m) => {
    loaded = m;
    return m;
  });
  return modulePromise;
}

/** The module if `loadQuickJs()` has resolved (calls into the sandbox are synchronous). */
export function quickJsLoaded(): QuickJSWASMModule | undefined {
  return loaded;
}

/**
 * One isolated JavaScript heap (a QuickJS runtime and context) with the prelude loaded. Calls are
 * synchronous, JSON in and JSON out; the deadline, memory and stack limits hold for every call.
 * After a timeout or an out-of-memory the heap is thrown away and rebuilt, so a half-finished call
 * never leaves state behind; compiled functions are compiled again on their next use.
 */
export class Sandbox {
  private runtime: QuickJSRuntime | undefined;
  private ctx: QuickJSContext | undefined;
  /** bumped on every rebuild: callers that cached "compiled" keys must compile again */
  generation = 0;

  constructor(
    private readonly module: QuickJSWASMModule,
    readonly limits: SandboxLimits = DEFAULT_LIMITS,
  ) {}

  private context(): QuickJSContext {
    if (this.ctx) return this.ctx;
    const rt = this.module.newRuntime();
    rt.setMemoryLimit(this.limits.memoryBytes);
    rt.setMaxStackSize(this.limits.stackBytes);
    const ctx = rt.newContext();
    this.runtime = rt;
    this.ctx = ctx;
    this.generation++;
    const r = ctx.evalCode(PRELUDE, 'prelude.js');
    if (r.error) {
      const msg = JSON.stringify(ctx.dump(r.error));
      r.error.dispose();
      this.dispose();
      throw new Error(`sandbox prelude failed: ${msg}`);
    }
    r.value.dispose();
    return ctx;
  }

  /** Calls a prelude global `fn(arg)` with a string argument; answers its string result. */
  call(fn: string, arg: string): string {
    const ctx = this.context();
    const rt = this.runtime as QuickJSRuntime;
    const deadline = Date.now() + this.limits.timeoutMs;
    let timedOut = false;
    rt.setInterruptHandler(() => {
      if (Date.now() < deadline) return false;
      timedOut = true;
      return true;
    });
    const f = ctx.getProp(ctx.global, fn);
    const a = ctx.newString(arg);
    const r = ctx.callFunction(f, ctx.undefined, a);
    f.dispose();
    a.dispose();
    rt.removeInterruptHandler();
    if (r.error) {
      const err = ctx.dump(r.error) as unknown;
      r.error.dispose();
      return this.fail(err, timedOut);
    }
    const out = ctx.getString(r.value);
    r.value.dispose();
    return out;
  }

  private fail(err: unknown, timedOut: boolean): never {
    const msg = describe(err);
    if (timedOut) {
      this.dispose();
      throw new SandboxError('timeout', 'OS process timed out.');
    }
    if (/out of memory|stack overflow|too long/i.test(msg)) {
      this.dispose();
      throw new SandboxError(
        'memory',
        `JavaScript ${/stack/i.test(msg) ? 'stack' : 'memory'} limit exceeded`,
      );
    }
    throw new SandboxError('error', msg);
  }

  dispose(): void {
    try {
      this.ctx?.dispose();
      this.runtime?.dispose();
    } catch {
      // a runtime that ran out of memory may not free cleanly; it is dropped either way
    }
    this.ctx = undefined;
    this.runtime = undefined;
    this.generation++;
  }
}

/** A thrown value as text: `{error, reason}` objects, Errors (name: message) and plain values. */
function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const o = err as Record<string, unknown>;
    if (typeof o.reason === 'string') return o.reason;
    if (typeof o.message === 'string') return `${o.name ?? 'Error'}: ${o.message}`;
    return JSON.stringify(err);
  }
  return String(err);
}
