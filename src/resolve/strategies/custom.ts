import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../core/clock.ts';
import { userError } from '../../core/errors.ts';
import { isObject, type Json, type JsonObject, plainJson } from '../json.ts';
import type { Leaf } from '../leaf.ts';
import {
  decline,
  isDeclined,
  merged,
  type Strategy,
  type StrategyContext,
  type StrategyOutcome,
} from '../strategy.ts';

/** What a custom module exports: `resolve(leaves, context)`, sync or async. */
export interface CustomModule {
  resolve(leaves: Leaf[], context: StrategyContext): unknown;
}

/** Imports a module by absolute path (injectable for tests). */
export type ModuleLoader = (absolutePath: string) => Promise<unknown>;

export const importModule: ModuleLoader = (p) => import(pathToFileURL(p).href);

/**
 * Loads a custom strategy module once, at start: a missing file or a module without a `resolve`
 * function is a configuration mistake, reported before anything runs. `.ts` modules load when the
 * process runs TypeScript (tsx, or Node with type stripping).
 */
export async function loadCustomModule(
  modulePath: string,
  baseDir: string,
  loader: ModuleLoader = importModule,
): Promise<CustomModule> {
  const abs = isAbsolute(modulePath) ? modulePath : resolvePath(baseDir, modulePath);
  let mod: unknown;
  try {
    mod = await loader(abs);
  } catch (e) {
    throw userError(
      'E_CUSTOM_STRATEGY',
      `cannot load the custom conflict strategy ${abs}: ${(e as Error).message}`,
      'check the module path (relative paths start at the mesh file folder, or the current folder for the CLI)',
    );
  }
  const fn = (mod as { resolve?: unknown } | null)?.resolve;
  if (typeof fn !== 'function')
    throw userError(
      'E_CUSTOM_STRATEGY',
      `the custom conflict strategy ${abs} does not export a resolve(leaves, context) function`,
      'export function resolve(leaves, context) { return mergedBody; }',
    );
  return mod as CustomModule;
}

/**
 * A custom module as a strategy. Leaves are deep copies (the module cannot change ours). Throwing,
 * timing out, returning nothing or a non-object, or returning `context.decline(reason)` all decline:
 * the conflict is left as it is and the reason is reported.
 */
export function customStrategy(mod: CustomModule, timeoutMs: number, clock: Clock): Strategy {
  return async (leaves, context): Promise<StrategyOutcome> => {
    // user code gets plain JavaScript values (numbers as doubles), as JSON.parse would give them
    const copies = leaves.map((l) => ({ rev: l.rev, body: plainJson(l.body) }));
    const stop = new AbortController();
    let result: unknown;
    try {
      const timeout = clock.sleep(timeoutMs, stop.signal).then(
        () => ({ timedOut: true }),
        () => undefined,
      );
      const call = Promise.resolve().then(() => mod.resolve(copies, context));
      const first = await Promise.race([call.then((value) => ({ value })), timeout]);
      if (first && 'timedOut' in first)
        return decline(`custom resolver did not answer within ${timeoutMs} ms`);
      result = first?.value;
    } catch (e) {
      return decline(`custom resolver threw: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      stop.abort();
    }
    if (isDeclined(result)) return decline(result.reason || 'declined by the custom resolver');
    if (result === null || result === undefined) return decline('custom resolver returned nothing');
    if (!isObject(result as Json)) return decline('custom resolver did not return an object');
    try {
      return merged(JSON.parse(JSON.stringify(result)) as JsonObject);
    } catch (e) {
      return decline(`custom resolver returned a body that is not JSON: ${(e as Error).message}`);
    }
  };
}
