import { z } from 'zod';
import type { ResolveContext } from './context.ts';
import { withHint } from './hints.ts';
import { listNames } from './suggest.ts';
import { checkNodeUrl } from './url.ts';
import { parseAt } from './zod-issues.ts';

/**
 * mesh.yaml's optional `failover:` block (#15): how a degraded direction is routed through a relay
 * node. Absent = no routing (the controller's router stays idle). The degradation threshold is the
 * mesh's `thresholds.relay_latency_ms`, overridable per link here.
 */

export const FAILOVER_MODES = ['proxy', 'store-and-forward'] as const;
export type FailoverMode = (typeof FAILOVER_MODES)[number];

const mode = withHint(
  z.enum(FAILOVER_MODES).meta({
    description:
      'proxy: source_proxy/target_proxy through the relay (replication id and checkpoints kept); store-and-forward: docs A->R and R->B through a relay holding the database',
  }),
  { expected: 'proxy or store-and-forward' },
);

const samples = (n: number, description: string) =>
  z.number().int().min(1).max(100).default(n).meta({ description });

export const FailoverLinkSchema = z
  .strictObject({
    mode: mode.optional(),
    relay_latency_ms: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: "this link's latency threshold (default thresholds.relay_latency_ms)" }),
  })
  .meta({ description: 'per link (key `a--b`, names sorted): mode and threshold overrides' });

export const FailoverSchema = z
  .strictObject({
    mode: mode.default('proxy'),
    degrade_after: samples(3, 'consecutive bad samples before a direction is degraded (k)'),
    recover_after: samples(3, 'consecutive good samples before a degraded direction is healthy again (m)'),
    max_routes_per_relay: z
      .number()
      .int()
      .min(1)
      .default(16)
      .meta({ description: 'a relay carrying this many rerouted directions is skipped' }),
    regions: z
      .record(z.string(), z.record(z.string(), z.number().min(0)))
      .default({})
      .meta({ description: 'distances between regions (symmetric: eu: { us: 80 } is also us -> eu)' }),
    relays: z
      .record(z.string(), z.strictObject({ proxy: z.string().meta({ description: 'http(s)://host:port' }) }))
      .default({})
      .meta({ description: "per relay node, its forward proxy's URL (couchmesh relay) for proxy mode" }),
    links: z.record(z.string(), FailoverLinkSchema).default({}),
  })
  .meta({ description: 'relay failover: degradation rule, relay choice and routing mode (#15)' });

export type FailoverSpec = z.output<typeof FailoverSchema>;

export const DEFAULT_FAILOVER: FailoverSpec = FailoverSchema.parse({});

/** Parses `failover:` and checks its names against the nodes and links. */
export function checkFailover(
  raw: unknown,
  // structural (types.ts imports this module's types: no cycle)
  nodes: ReadonlyMap<string, { name: string; role: string }>,
  links: readonly { key: string }[],
  ctx: ResolveContext,
): FailoverSpec | undefined {
  const f = parseAt(FailoverSchema, raw, ['failover'], ctx.sink);
  if (!f) return undefined;
  for (const [name, r] of Object.entries(f.relays)) {
    const node = nodes.get(name);
    if (node?.role !== 'relay')
      ctx.sink.error('E_FAILOVER', ['failover', 'relays', name], `'${name}' is not a node with role: relay`, {
        key: true,
        hint: `declare it under nodes: with role: relay (relays: ${listNames([...nodes.values()].filter((n) => n.role === 'relay').map((n) => n.name))})`,
      });
    const url = checkNodeUrl(r.proxy);
    if (!url.ok)
      ctx.sink.error(url.code, ['failover', 'relays', name, 'proxy'], url.message, {
        expected: url.expected,
        hint: url.hint,
      });
    else r.proxy = url.url;
  }
  const keys = new Set(links.map((l) => l.key));
  for (const key of Object.keys(f.links))
    if (!keys.has(key))
      ctx.sink.error('E_FAILOVER', ['failover', 'links', key], `no link '${key}'`, {
        key: true,
        hint: 'name a link by its two nodes, sorted, joined by --: n1--n2',
      });
  return f;
}

/** The routing mode of a link (its override, else the mesh's). */
export const modeOf = (f: FailoverSpec, link: string): FailoverMode => f.links[link]?.mode ?? f.mode;

/** A link's latency threshold (its override, else `thresholds.relay_latency_ms`). */
export const thresholdOf = (f: FailoverSpec, link: string, meshThresholdMs: number): number =>
  f.links[link]?.relay_latency_ms ?? meshThresholdMs;

/** Distance between two regions from the table (either way round); 0 for the same region. */
export function regionDistance(f: FailoverSpec, a?: string, b?: string): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === b) return 0;
  return f.regions[a]?.[b] ?? f.regions[b]?.[a];
}
