/**
 * Conflict-resolution settings of one database: what sits under `databases[].conflicts` in mesh.yaml.
 *
 * ```yaml
 * databases:
 *   - name: sensors
 *     conflicts:
 *       strategy: lww              # default strategy of the database
 *       timestamp: updated_at
 *       type_field: type           # per document type, chosen by this field of CouchDB's winner
 *       types:
 *         profile: { strategy: field-merge, timestamps: field_ts }
 *         group:   { strategy: union, fields: [members] }
 *         counter: { strategy: max, field: value }
 *         invoice: { strategy: custom, module: ./resolvers/invoice.ts }
 *       audit: { db: couchmesh_audit }   # or { file: ./audit.ndjson }
 * ```
 */
import { z } from 'zod';
import { userError } from '../core/errors.ts';

const FieldPath = z
  .string()
  .min(1)
  .meta({ description: 'a field, or a dotted path such as meta.updated_at' });

export const LwwSchema = z.strictObject({
  strategy: z.literal('lww').meta({ description: 'last writer wins by a timestamp field' }),
  timestamp: FieldPath.default('updated_at'),
  missing: z
    .enum(['oldest', 'decline'])
    .default('oldest')
    .meta({ description: 'a leaf without a timestamp counts as the oldest, or makes the strategy decline' }),
});

export const FieldMergeSchema = z.strictObject({
  strategy: z.literal('field-merge').meta({ description: 'per-field last writer wins' }),
  timestamps: z
    .string()
    .min(1)
    .default('field_ts')
    .meta({ description: 'top-level field holding { field: timestamp }' }),
});

export const UnionSchema = z.strictObject({
  strategy: z.literal('union').meta({ description: 'set-like arrays are unioned' }),
  fields: z.array(FieldPath).min(1),
  timestamp: FieldPath.optional().meta({
    description: 'other fields from the last writer by this field (default: CouchDB winner)',
  }),
});

export const MaxSchema = z.strictObject({
  strategy: z.literal('max').meta({ description: 'the leaf with the largest number in `field`' }),
  field: FieldPath,
});

export const MinSchema = z.strictObject({
  strategy: z.literal('min').meta({ description: 'the leaf with the smallest number in `field`' }),
  field: FieldPath,
});

export const CustomSchema = z.strictObject({
  strategy: z.literal('custom').meta({ description: 'a module exporting resolve(leaves, context)' }),
  module: z
    .string()
    .min(1)
    .meta({ description: 'path of a .js/.mjs/.ts module (relative to the mesh file)' }),
  options: z.record(z.string(), z.unknown()).default({}),
  timeout_ms: z.number().int().min(1).default(10_000),
});

const VARIANTS = [LwwSchema, FieldMergeSchema, UnionSchema, MaxSchema, MinSchema, CustomSchema] as const;

export const StrategySchema = z.discriminatedUnion('strategy', [...VARIANTS]);
export type StrategyConfig = z.output<typeof StrategySchema>;
export type StrategyName = StrategyConfig['strategy'];
export const STRATEGY_NAMES: readonly StrategyName[] = VARIANTS.map((v) => v.shape.strategy.value);

export const AuditSchema = z.union([
  z.strictObject({ db: z.string().regex(/^[a-z][a-z0-9_$()+/-]*$/) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type AuditConfig = z.output<typeof AuditSchema>;

const common = {
  node: z.string().min(1).optional().meta({
    description:
      'where couchmesh run resolves: a node name, or all (the default: every node carrying the database; convergent)',
  }),
  type_field: FieldPath.default('type').meta({ description: 'field of the winner naming its type' }),
  types: z.record(z.string(), StrategySchema).optional().meta({ description: 'strategy per type' }),
  audit: AuditSchema.default({ db: 'couchmesh_audit' }),
  batch_size: z.number().int().min(1).max(10_000).default(500),
  concurrency: z.number().int().min(1).max(64).default(4),
};

const WITH_COMMON = {
  lww: LwwSchema.extend(common),
  'field-merge': FieldMergeSchema.extend(common),
  union: UnionSchema.extend(common),
  max: MaxSchema.extend(common),
  min: MinSchema.extend(common),
  custom: CustomSchema.extend(common),
} as const;

/** `databases[].conflicts`: a default strategy (flat), optional strategies per type, audit, batching. */
export const ConflictsConfigSchema = z.discriminatedUnion('strategy', [
  WITH_COMMON.lww,
  WITH_COMMON['field-merge'],
  WITH_COMMON.union,
  WITH_COMMON.max,
  WITH_COMMON.min,
  WITH_COMMON.custom,
]);

/**
 * The plain object schema of one strategy's settings: validating against it (rather than the union)
 * lets mesh.yaml diagnostics name the keys that strategy knows ("did you mean 'timestamp'?").
 */
export function conflictsSchemaOf(strategy: StrategyName): (typeof WITH_COMMON)[StrategyName] {
  return WITH_COMMON[strategy];
}
/** The plain object schema of one strategy under `types:`. */
export function strategySchemaOf(strategy: StrategyName): (typeof VARIANTS)[number] {
  return VARIANTS.find((v) => v.shape.strategy.value === strategy) as (typeof VARIANTS)[number];
}
export type ConflictsConfig = z.output<typeof ConflictsConfigSchema>;

/** Validates settings (from mesh.yaml or CLI flags); a user error naming each problem otherwise. */
export function parseConflictsConfig(raw: unknown, where = 'conflicts'): ConflictsConfig {
  const r = ConflictsConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`);
  throw userError(
    'E_CONFLICTS_CONFIG',
    `invalid conflict-resolution settings: ${problems.join('; ')}`,
    `strategy is one of ${STRATEGY_NAMES.join(', ')}; see src/resolve/config.ts for the fields`,
    { problems },
  );
}

/** The strategy part of a config (without type_field/types/audit/batching). */
export function strategyPart(c: ConflictsConfig | StrategyConfig): StrategyConfig {
  const { node, type_field, types, audit, batch_size, concurrency, ...rest } = c as ConflictsConfig;
  return StrategySchema.parse(rest);
}
