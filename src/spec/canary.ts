import { z } from 'zod';
import type { ResolveContext } from './context.ts';
import { withHint } from './hints.ts';
import { parseAt } from './zod-issues.ts';

/**
 * mesh.yaml's optional `canary:` block (FAILOVER, #15): couchmesh writes a small document
 * `canary:<A>><B>` on A and times its arrival on B through B's `_changes`, on couchmesh's own clock
 * (never the nodes'). Each direction's canary travels only its own direct job (`doc_ids`), so it
 * measures the direct path even while the router sends data around it. Durations in ms, as the
 * rest of mesh.yaml writes them.
 */
/** CouchDB's database name rule (schema.ts's DB_NAME_RE, not imported: schema.ts imports this file). */
const CANARY_DB_RE = /^[a-z][a-z0-9_$()+/-]*$/;

export const CanarySchema = z
  .strictObject({
    enabled: withHint(
      z.boolean().default(false).meta({ description: 'measure every link direction with canary documents' }),
      { hint: 'write true or false' },
    ),
    interval_ms: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .meta({ description: 'one canary round (every direction) every this often (default 30000)' }),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .default(60_000)
      .meta({ description: 'a canary not seen on its target within this long is lost (default 60000)' }),
    database: z
      .string()
      .regex(CANARY_DB_RE, 'a CouchDB database name: lowercase letter first, then a-z 0-9 _ $ ( ) + / -')
      .default('couchmesh_canary')
      .meta({
        description: 'the managed canary database, created on every linked node (default couchmesh_canary)',
      }),
  })
  .meta({ description: 'per-link canaries: true end-to-end latency per direction (off unless enabled)' });

export type CanarySpec = z.output<typeof CanarySchema>;

export const DEFAULT_CANARY: CanarySpec = CanarySchema.parse({});

/** The canary document of direction from->to: its `_id` is also the direction's `doc_ids` filter. */
export const canaryDocId = (from: string, to: string) => `canary:${from}>${to}`;

/** The enabled canary of a spec, or undefined (absent or `enabled: false`). */
export const canaryOf = (spec: { canary?: CanarySpec }): CanarySpec | undefined =>
  spec.canary?.enabled ? spec.canary : undefined;

/** Parses `canary:`; its database must not be one the mesh replicates (the canary's doc_ids jobs would fight them). */
export function resolveCanary(raw: unknown, databases: readonly string[], ctx: ResolveContext) {
  if (raw === undefined || raw === null) return undefined;
  const c = parseAt(CanarySchema, raw, ['canary'], ctx.sink);
  if (c && databases.includes(c.database))
    ctx.sink.error('E_DUPLICATE_DATABASE', ['canary', 'database'], `'${c.database}' is a mesh database`, {
      expected: 'a database of its own',
      hint: 'leave database unset (couchmesh_canary) or pick a name not under databases:',
    });
  return c;
}
