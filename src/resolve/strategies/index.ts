import { type Clock, systemClock } from '../../core/clock.ts';
import type { StrategyConfig } from '../config.ts';
import type { Strategy } from '../strategy.ts';
import { customStrategy, importModule, loadCustomModule, type ModuleLoader } from './custom.ts';
import { extremum } from './extremum.ts';
import { fieldMerge } from './field-merge.ts';
import { lww } from './lww.ts';
import { union } from './union.ts';

export { extremum, fieldMerge, lww, union };

/** A built-in strategy as a pure function of the leaf set. */
export function builtinStrategy(c: Exclude<StrategyConfig, { strategy: 'custom' }>): Strategy {
  switch (c.strategy) {
    case 'lww':
      return (leaves) => lww(leaves, c);
    case 'field-merge':
      return (leaves) => fieldMerge(leaves, c);
    case 'union':
      return (leaves) => union(leaves, c);
    case 'max':
    case 'min':
      return (leaves) => extremum(leaves, c, c.strategy);
  }
}

export interface BuildOptions {
  /** Folder relative custom module paths start from. Default: the current folder. */
  baseDir?: string;
  loader?: ModuleLoader;
  clock?: Clock;
}

/** The strategy of a config; custom modules are loaded here (user error when they cannot be). */
export async function buildStrategy(c: StrategyConfig, o: BuildOptions = {}): Promise<Strategy> {
  if (c.strategy !== 'custom') return builtinStrategy(c);
  const mod = await loadCustomModule(c.module, o.baseDir ?? process.cwd(), o.loader ?? importModule);
  return customStrategy(mod, c.timeout_ms, o.clock ?? systemClock);
}
