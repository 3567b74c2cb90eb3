import { resolveCanary } from './canary.ts';
import { resolveLinkClasses } from './classes.ts';
import type { ResolveContext } from './context.ts';
import { ControllerSchema } from './controller.ts';
import { checkDatabases } from './databases.ts';
import { checkFailover } from './failover.ts';
import { DEFAULT_LINK_CLASS } from './link-classes.ts';
import { resolveLinks } from './links.ts';
import { checkNodes, isMapping } from './nodes.ts';
import { resolveReplicationUsers } from './replication-users.ts';
import { DefaultsSchema, MeshNameSchema, TOP_LEVEL_KEYS } from './schema.ts';
import { didYouMean, listNames } from './suggest.ts';
import { DEFAULT_THRESHOLDS, type Thresholds, ThresholdsSchema } from './thresholds.ts';
import type { MeshSpec } from './types.ts';
import { checkViaRelay } from './via-relay.ts';
import { describeValue, parseAt } from './zod-issues.ts';

/** Resolves the plain data of a mesh file into a MeshSpec, reporting every problem to ctx.sink. */
export function resolveMesh(raw: unknown, ctx: ResolveContext): MeshSpec | undefined {
  const { sink } = ctx;
  if (!isMapping(raw)) {
    sink.error('E_TYPE', [], `the file holds ${describeValue(raw)}`, {
      expected: 'a mapping with mesh, nodes, databases and links',
      hint: "run 'couchmesh init' for a commented starter",
    });
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (!TOP_LEVEL_KEYS.includes(key))
      sink.error('E_UNKNOWN_KEY', [key], `unknown key '${key}'`, {
        key: true,
        expected: `one of ${listNames(TOP_LEVEL_KEYS)}`,
        hint: didYouMean(key, TOP_LEVEL_KEYS) ?? 'remove it (keys are case-sensitive)',
      });
  const mesh = parseAt(MeshNameSchema, raw.mesh, ['mesh'], sink);
  const nodes = checkNodes(raw.nodes, ctx);
  const databases = checkDatabases(raw.databases, ctx);
  const classes = resolveLinkClasses(raw.link_classes, ctx);
  const defaults = parseAt(DefaultsSchema, raw.defaults ?? {}, ['defaults'], sink);
  const defaultClass = defaults?.class ?? DEFAULT_LINK_CLASS;
  if (defaults?.class !== undefined && !classes.has(defaults.class)) {
    const names = [...classes.keys()];
    sink.error('E_UNKNOWN_LINK_CLASS', ['defaults', 'class'], `unknown link class '${defaults.class}'`, {
      expected: `one of ${listNames(names)}`,
      hint: didYouMean(defaults.class, names) ?? 'define it under link_classes:',
    });
  }
  const thresholds = checkThresholds(raw.thresholds, ctx);
  const links = resolveLinks(
    { raw: raw.links, nodeNames: nodes.names, nodes: nodes.nodes, databases, classes, defaultClass },
    ctx,
  );
  if (nodes.names.length > 1) {
    if (raw.links === undefined || (Array.isArray(raw.links) && raw.links.length === 0))
      sink.warning(
        'W_NO_LINKS',
        raw.links === undefined ? [] : ['links'],
        'the mesh declares no links: nothing will replicate',
        {
          hint: 'add links: - [n1, n2] or - { generate: full-mesh }',
        },
      );
    else if (sink.errorCount === 0) {
      // a relay named by a cluster's via_relay carries its traffic without a link of its own
      const viaRelays = [...nodes.nodes.values()].flatMap((n) => (n.via_relay ? [n.via_relay] : []));
      const linked = new Set([...links.flatMap((l) => l.nodes), ...viaRelays]);
      for (const name of nodes.names)
        if (!linked.has(name))
          sink.warning('W_ISOLATED_NODE', ['nodes', name], `node '${name}' is in no link`, {
            key: true,
            hint: 'link it to a peer, or remove it',
          });
    }
  }
  const users =
    raw.replication_users === undefined
      ? undefined
      : resolveReplicationUsers(raw.replication_users, nodes.nodes, links, ctx);
  const controller =
    raw.controller === undefined || raw.controller === null
      ? undefined
      : parseAt(ControllerSchema, raw.controller, ['controller'], sink);
  const canary = resolveCanary(
    raw.canary,
    databases.map((d) => d.name),
    ctx,
  );
  const failover =
    raw.failover === undefined || raw.failover === null
      ? undefined
      : checkFailover(raw.failover, nodes.nodes, links, ctx);
  checkViaRelay(nodes.nodes, failover, ctx);
  if (mesh === undefined || !thresholds) return undefined;
  return {
    mesh,
    nodes: [...nodes.nodes.values()],
    databases,
    link_classes: Object.fromEntries(classes),
    links,
    thresholds,
    ...(users ? { replication_users: users } : {}),
    ...(controller ? { controller } : {}),
    ...(canary ? { canary } : {}),
    ...(failover ? { failover } : {}),
  };
}

function checkThresholds(raw: unknown, ctx: ResolveContext): Thresholds | undefined {
  if (raw === undefined || raw === null) return { ...DEFAULT_THRESHOLDS };
  const t = parseAt(ThresholdsSchema, raw, ['thresholds'], ctx.sink);
  if (t && t.lag_warning_changes > t.lag_critical_changes)
    ctx.sink.warning(
      'W_THRESHOLDS',
      ['thresholds', 'lag_warning_changes'],
      `lag_warning_changes ${t.lag_warning_changes} is above lag_critical_changes ${t.lag_critical_changes}`,
      { expected: 'warning <= critical' },
    );
  return t;
}
