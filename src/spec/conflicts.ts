import {
  type ConflictsConfig,
  conflictsSchemaOf,
  STRATEGY_NAMES,
  type StrategyName,
  strategySchemaOf,
} from '../resolve/config.ts';
import type { PathSeg } from './diagnostic.ts';
import { isMapping } from './nodes.ts';
import type { DiagnosticSink } from './sink.ts';
import { didYouMean } from './suggest.ts';
import { describeValue, parseAt } from './zod-issues.ts';

const isStrategy = (v: unknown): v is StrategyName =>
  typeof v === 'string' && (STRATEGY_NAMES as readonly string[]).includes(v);

/** A `strategy:` that is not one of ours, reported at its own line with the list and a did-you-mean. */
function checkStrategy(
  raw: Record<string, unknown>,
  path: readonly PathSeg[],
  sink: DiagnosticSink,
): boolean {
  const s = raw.strategy;
  if (isStrategy(s)) return true;
  const expected = `one of ${STRATEGY_NAMES.join(', ')}`;
  if (s === undefined)
    sink.error('E_MISSING', path, "missing required field 'strategy'", {
      expected,
      hint: 'e.g. strategy: lww (with timestamp: updated_at)',
    });
  else
    sink.error(
      'E_VALUE',
      [...path, 'strategy'],
      `got ${typeof s === 'string' ? `'${s}'` : describeValue(s)}`,
      {
        expected,
        hint:
          (typeof s === 'string' ? didYouMean(s, STRATEGY_NAMES) : undefined) ?? 'see src/resolve/config.ts',
      },
    );
  return false;
}

/**
 * `databases[i].conflicts`: validated against the schema of the strategy it names (so an unknown key is
 * matched against that strategy's keys), each `types:` entry likewise; defaults filled in. The same
 * schemas as `couchmesh conflicts --config` (src/resolve/config.ts).
 */
export function checkConflicts(
  raw: unknown,
  path: readonly PathSeg[],
  sink: DiagnosticSink,
): ConflictsConfig | undefined {
  if (!isMapping(raw)) {
    sink.error('E_TYPE', path, `got ${describeValue(raw)}`, {
      expected: 'a mapping, e.g. { strategy: lww, timestamp: updated_at }',
    });
    return undefined;
  }
  const known = checkStrategy(raw, path, sink);
  let typesOk = true;
  const types = raw.types;
  if (isMapping(types))
    for (const [name, t] of Object.entries(types)) {
      const at = [...path, 'types', name];
      if (!isMapping(t)) continue; // the block's own parse reports it
      if (
        !checkStrategy(t, at, sink) ||
        parseAt(strategySchemaOf(t.strategy as StrategyName), t, at, sink) === undefined
      )
        typesOk = false;
    }
  if (!known) return undefined;
  const schema = conflictsSchemaOf(raw.strategy as StrategyName);
  if (typesOk) {
    const whole = schema.safeParse(raw);
    if (whole.success) return whole.data as ConflictsConfig;
  }
  // the rest of the block, without the `types` entries already reported one by one
  const { types: _checked, ...rest } = raw;
  parseAt(schema, isMapping(types) ? rest : raw, path, sink);
  return undefined;
}
