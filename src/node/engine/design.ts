import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { Sandbox, SandboxError, type SandboxLimits } from '../js/sandbox.ts';
import type { DbStore } from '../store/db-store.ts';
import { CouchHttpError } from './errors.ts';

/** What the node provides: the loaded QuickJS module and the current limits (`_config`). */
export interface JsEnv {
  module: QuickJSWASMModule | undefined;
  limits: SandboxLimits;
}

/** One design function: where it comes from (key includes the ddoc's rev) and its source. */
export interface DesignFn {
  key: string;
  src: string;
}

/** A `validate_doc_update` verdict per document: null passes. */
export type Verdict =
  | null
  | { forbidden: string }
  | { unauthorized: string }
  | { error: string; reason: string };

const DESIGN_RANGE = {
  start: '_design/',
  end: '_design0',
  inclusiveEnd: false,
  descending: false,
  limit: -1,
  skip: 0,
};

/**
 * The design-document functions of one database, run in that database's own sandbox (one heap per
 * database: one database's admins cannot reach another's functions). Mirrors CouchDB's
 * ddoc_cache + couch_query_servers: functions are compiled once per design-doc revision, the VDU
 * list is re-read only after a design document commits (`touch()`).
 */
export class DesignFunctions {
  private sandbox: Sandbox | undefined;
  private compiled = new Set<string>();
  private generation = -1;
  private vdus: DesignFn[] | undefined;

  constructor(
    private readonly store: DbStore,
    private readonly env: () => JsEnv,
  ) {}

  /** A design document was written: the VDU list is read again on next use. */
  touch(): void {
    this.vdus = undefined;
  }

  /** Every `validate_doc_update` of the database, in design-doc id order (couch_db:load_validation_funs). */
  validators(): DesignFn[] {
    if (this.vdus) return this.vdus;
    const out: DesignFn[] = [];
    for (const row of this.store.docRange(DESIGN_RANGE)) {
      const body = this.store.getRev(row.id, row.winner)?.body;
      const src = body
        ? (JSON.parse(body) as { validate_doc_update?: unknown }).validate_doc_update
        : undefined;
      if (typeof src === 'string') out.push({ key: `${row.id}@${row.winner}#vdu`, src });
    }
    this.vdus = out;
    return out;
  }

  /** A named function of a design doc (`filters`, `views.X.map`), or CouchDB's 404. */
  lookup(ddocName: string, path: [string, string] | [string, string, string]): DesignFn {
    const id = `_design/${ddocName}`;
    const row = this.store.getDoc(id);
    if (!row) throw new CouchHttpError(404, 'not_found', 'missing');
    if (row.deleted) throw new CouchHttpError(404, 'not_found', 'deleted');
    const body = this.store.getRev(id, row.winner)?.body ?? '{}';
    let v: unknown = JSON.parse(body);
    for (const k of path) {
      v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
      if (v === undefined) throw new CouchHttpError(404, 'not_found', `missing json key: ${k}`);
    }
    if (typeof v !== 'string')
      throw new CouchHttpError(400, 'bad_request', `${path.join('.')} is not a function source`);
    return { key: `${id}@${row.winner}#${path.join('.')}`, src: v };
  }

  /** Runs every VDU over each `[newDocJson, oldDocJson|null]`: one sandbox call per ~1 MiB of docs. */
  validate(
    fns: DesignFn[],
    docs: Array<[string, string | null]>,
    userCtx: unknown,
    secObjJson: string,
  ): Verdict[] {
    for (const f of fns) this.ensure(f);
    const head = `{"fns":${JSON.stringify(fns.map((f) => f.key))},"userCtx":${JSON.stringify(userCtx)},"secObj":${secObjJson},"docs":[`;
    const out: Verdict[] = [];
    for (const part of bySize(docs.map(([n, o]) => `[${n},${o ?? 'null'}]`)))
      out.push(...(JSON.parse(this.run('__vdu', `${head}${part.join(',')}]}`)) as Verdict[]));
    return out;
  }

  /** A design-doc filter over docs (JSON texts): which pass (filter.js: `fun(doc, req)` truthy). */
  filter(fn: DesignFn, docs: string[], reqJson: string): boolean[] {
    this.ensure(fn);
    return bySize(docs).flatMap((part) => this.filterPart(fn, part, reqJson));
  }

  private filterPart(fn: DesignFn, docs: string[], reqJson: string): boolean[] {
    const input = `{"fn":${JSON.stringify(fn.key)},"req":${reqJson},"docs":[${docs.join(',')}]}`;
    const out = JSON.parse(this.run('__filter', input)) as
      | number[]
      | { failed: { error: string; reason?: string; forbidden?: string; unauthorized?: string } };
    if (!Array.isArray(out)) {
      const f = out.failed;
      throw new CouchHttpError(
        500,
        f.error ?? 'filter_error',
        f.reason ?? f.forbidden ?? f.unauthorized ?? 'filter failed',
      );
    }
    return out.map((x) => x === 1);
  }

  /** A view's map function as a filter (`filter=_view`): a doc passes when the map emits for it. */
  mapFilter(fn: DesignFn, docs: string[]): boolean[] {
    this.ensure(fn);
    return bySize(docs).flatMap((part) => {
      const input = `{"fn":${JSON.stringify(fn.key)},"docs":[${part.join(',')}]}`;
      return (JSON.parse(this.run('__mapFilter', input)) as number[]).map((x) => x === 1);
    });
  }

  private box(): Sandbox {
    const env = this.env();
    if (!env.module)
      throw new CouchHttpError(
        500,
        'not_implemented',
        'design-document JavaScript needs the QuickJS engine (startNode loads it)',
      );
    if (this.sandbox && JSON.stringify(this.sandbox.limits) !== JSON.stringify(env.limits)) this.close();
    this.sandbox ??= new Sandbox(env.module, env.limits);
    return this.sandbox;
  }

  private ensure(fn: DesignFn): void {
    const box = this.box();
    if (this.generation !== box.generation) {
      this.compiled.clear();
      this.generation = box.generation;
    }
    if (this.compiled.has(fn.key)) return;
    try {
      box.call('__compile', JSON.stringify([fn.key, fn.src]));
    } catch (e) {
      if (e instanceof SandboxError && e.kind === 'error')
        throw new CouchHttpError(
          400,
          'compilation_error',
          `Compilation of ${fn.key.replace(/@[^#]*#/, ' ')} failed: ${e.message}`,
        );
      throw toHttp(e);
    }
    // a rebuild during compile (first use) moved the generation
    this.generation = box.generation;
    this.compiled.add(fn.key);
  }

  private run(fn: string, input: string): string {
    try {
      return this.box().call(fn, input);
    } catch (e) {
      throw toHttp(e);
    }
  }

  close(): void {
    this.sandbox?.dispose();
    this.sandbox = undefined;
    this.compiled.clear();
  }
}

/**
 * One sandbox call takes about CALL_BYTES of documents at most (a larger single doc goes alone):
 * the heap holds the input text and its parse, so a batch of large documents must not run a trivial
 * VDU out of memory where CouchDB, validating doc by doc, would not.
 */
const CALL_BYTES = 1024 * 1024;

export function bySize(items: string[], max = CALL_BYTES): string[][] {
  const parts: string[][] = [];
  let part: string[] = [];
  let size = 0;
  for (const x of items) {
    if (part.length && size + x.length > max) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(x);
    size += x.length;
  }
  if (part.length) parts.push(part);
  return parts;
}

/** A sandbox failure as CouchDB reports a query-server failure: 500 `os_process_error`. */
function toHttp(e: unknown): unknown {
  if (!(e instanceof SandboxError)) return e;
  return new CouchHttpError(500, 'os_process_error', e.message);
}
