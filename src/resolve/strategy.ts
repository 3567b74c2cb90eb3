import type { JsonObject } from './json.ts';
import type { Leaf } from './leaf.ts';

/** What a strategy answers: a merged body, or a decline with the reason (the conflict is left as is). */
export type StrategyOutcome = { ok: true; body: JsonObject } | { ok: false; reason: string };

export const merged = (body: JsonObject): StrategyOutcome => ({ ok: true, body });
export const decline = (reason: string): StrategyOutcome => ({ ok: false, reason });

/** What a strategy is told besides the leaves. Everything here is the same on every node. */
export interface StrategyContext {
  docId: string;
  /** The CouchDB winner among the live leaves: the parent the merged revision is written on. */
  winner: string;
  /** The strategy's name (`lww`, `custom`, ...) and the document type it was chosen for, if any. */
  strategy: string;
  type?: string;
  /** `options` of a custom strategy (empty for built-ins). */
  options: Readonly<Record<string, unknown>>;
  /** For custom modules: return `context.decline('why')` to leave the conflict alone. */
  decline(reason: string): Declined;
}

const DECLINED = Symbol.for('couchmesh.resolve.declined');

/** The value a custom `resolve()` returns to decline. */
export interface Declined {
  readonly [DECLINED]: true;
  readonly reason: string;
}

export function declined(reason: string): Declined {
  return { [DECLINED]: true, reason };
}

export function isDeclined(v: unknown): v is Declined {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[DECLINED] === true;
}

/** A strategy over a leaf set. Must not depend on leaf order, the clock or randomness. */
export type Strategy = (
  leaves: readonly Leaf[],
  context: StrategyContext,
) => StrategyOutcome | Promise<StrategyOutcome>;
