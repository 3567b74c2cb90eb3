/**
 * The router (FAILOVER #15), run after every observe pass when mesh.yaml declares `failover:`.
 * Feeds each direction's degradation rule (src/failover/rule.ts) with the pass's evidence of the
 * direct path (canary samples from `ctx.canary` when a canary loop runs, job states and
 * reachability from the poll), computes the desired routes, and when they differ from what the
 * nodes carry applies them through the same operations as drift repair (preparePlan with the new
 * route set + executePlan: one `_bulk_docs` per node, partial failure reported). Every switch is a
 * route event, an alert (raised when rerouted, resolved when direct again), an action and a log
 * line; a degraded direction with no relay is a critical finding and nothing is changed for it.
 * The routes the nodes carry are read once at start (a restarted controller keeps them: their
 * rules start degraded) and again after an apply that did not fully succeed.
 */
import { alertEvent } from '../alerts/types.ts';
import { evidence, newSince } from '../failover/evidence.ts';
import { desiredRoutes, meshDirections, routeSet, sameRoutes, seededRule } from '../failover/routes.ts';
import { initialRule, stepAll } from '../failover/rule.ts';
import type { Route, RouteMarker, RuleState } from '../failover/types.ts';
import { findingKey } from '../health/diff.ts';
import type { Finding } from '../health/types.ts';
import { executePlan } from '../ops/apply.ts';
import { MeshInvalidError } from '../ops/mesh.ts';
import { preparePlan } from '../ops/plan.ts';
import { observedRoutes } from '../plan/routes.ts';
import { type FailoverSpec, thresholdOf } from '../spec/failover.ts';
import type { Ctx, NewIntent } from './context.ts';
import { failIntent } from './intents.ts';
import { errorField } from './log.ts';
import { actionId } from './policy.ts';
import type { Intent } from './store.ts';
import type { RouteState } from './view.ts';

const CANARY_DB = 'couchmesh_canary';
const ROUTE_RULES = new Set(['rerouted', 'no-relay']);

interface RouterMemory {
  rules: Map<string, RuleState>;
  /** per direction, the newest canary sample counted */
  cursors: Map<string, number>;
  /** what the nodes carry (undefined: read them on the next pass) */
  current: Map<string, RouteMarker> | undefined;
  /** the route each direction was last reported with (events only on change) */
  shown: Map<string, RouteState>;
  findings: Map<string, Finding>;
  /** the route set last tried and not fully written (retried every pass) */
  pending?: string;
}

const memory = new WeakMap<Ctx, RouterMemory>();
const memoryOf = (ctx: Ctx): RouterMemory => {
  let m = memory.get(ctx);
  if (!m) {
    m = { rules: new Map(), cursors: new Map(), current: undefined, shown: new Map(), findings: new Map() };
    memory.set(ctx, m);
  }
  return m;
};

/** The routes the nodes carry, read through the planner's observation. */
async function readRoutes(ctx: Ctx): Promise<Map<string, RouteMarker>> {
  const prep = await preparePlan({ file: ctx.m.file }, ctx.deps);
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  try {
    return observedRoutes(ctx.m.spec.mesh, prep.observed);
  } finally {
    await prep.close();
  }
}

/** Steps every direction's rule with this pass's evidence. */
function feedRules(ctx: Ctx, f: FailoverSpec, mem: RouterMemory, current: Map<string, RouteMarker>): void {
  const spec = ctx.m.spec;
  const now = ctx.clock.now();
  const byDirection = new Map<string, { states: string[]; unreachable: string[] }>();
  for (const v of ctx.views) {
    if (v.db === CANARY_DB) continue;
    for (const d of v.directions) {
      const o = byDirection.get(d.direction) ?? { states: [], unreachable: [] };
      o.states.push(d.state);
      // the doc's node did not answer this poll: the direction is not running anywhere we can see
      if (!d.observed) o.unreachable.push(d.mode === 'pull' ? d.to : d.from);
      byDirection.set(d.direction, o);
    }
  }
  for (const d of meshDirections(spec)) {
    const route = current.get(d.direction);
    let rule = mem.rules.get(d.direction) ?? (route ? seededRule(route, now) : initialRule(now));
    const all = ctx.canary?.samples(d.from, d.to) ?? [];
    const fresh = newSince(all, mem.cursors.get(d.direction) ?? null);
    if (fresh.length) mem.cursors.set(d.direction, (fresh[fresh.length - 1] as { at: number }).at);
    const o = byDirection.get(d.direction);
    const samples = evidence({
      now,
      thresholdMs: thresholdOf(f, d.link, spec.thresholds.relay_latency_ms),
      canary: fresh,
      hasCanary: all.length > 0,
      observation: o ? { states: o.states, unreachable: [...new Set(o.unreachable)] } : undefined,
      jobIsDirect: route?.mode !== 'proxy',
    });
    rule = stepAll(rule, samples, { degradeAfter: f.degrade_after, recoverAfter: f.recover_after });
    mem.rules.set(d.direction, rule);
  }
}

const routeState = (r: Route, current: RouteMarker | undefined, now: number): RouteState => ({
  direction: r.direction,
  from: r.from,
  to: r.to,
  path: r.kind,
  via: r.kind === 'relayed' ? r.via : (current?.via ?? null),
  mode: r.kind === 'relayed' ? r.mode : null,
  reason: r.kind === 'direct' ? null : r.reason,
  since: new Date(r.kind === 'relayed' ? r.since : now).toISOString(),
});

function findingOf(r: Route): Finding | undefined {
  if (r.kind === 'direct') return undefined;
  const [a, b] = [r.from, r.to].sort();
  const base = { link: `${a}--${b}`, direction: r.direction, db: null, node: null };
  if (r.kind === 'relayed')
    return {
      ...base,
      rule: 'rerouted',
      severity: 'warning',
      evidence: { via: r.via, mode: r.mode, reason: r.reason },
      message: `${r.direction} is routed through relay ${r.via} (${r.mode}): ${r.reason}`,
      playbook:
        'the direct path is degraded; couchmesh routes it back once it is healthy again (couchmesh routes)',
    };
  return {
    ...base,
    rule: 'no-relay',
    severity: 'critical',
    evidence: { reason: r.reason },
    message: `${r.direction} is degraded and no relay can take it: ${r.reason}`,
    playbook:
      'declare a relay node (role: relay; failover.relays for proxy mode), bring one back, or raise max_routes_per_relay',
  };
}

/** Findings, alerts and route events for what changed (only once it is on the nodes, or not applicable). */
async function report(
  ctx: Ctx,
  mem: RouterMemory,
  routes: readonly Route[],
  applied: boolean,
): Promise<void> {
  const now = ctx.clock.now();
  const mesh = ctx.m.spec.mesh;
  const next = new Map<string, Finding>();
  for (const r of routes) {
    if (!applied && r.kind !== 'no-relay') {
      // not on the nodes: the direction stays as last reported
      for (const [k, f] of mem.findings) if (f.direction === r.direction) next.set(k, f);
      continue;
    }
    const f = findingOf(r);
    if (f) next.set(findingKey(f), f);
    const shownBefore = mem.shown.get(r.direction);
    const st = routeState(r, mem.current?.get(r.direction), now);
    if (shownBefore ? shownBefore.path !== st.path || shownBefore.via !== st.via : r.kind !== 'direct') {
      mem.shown.set(r.direction, st);
      ctx.state.route(st);
      const line = `route ${r.direction}: ${st.path}${st.via && st.path === 'relayed' ? ` via ${st.via} (${st.mode})` : ''}${st.reason ? `: ${st.reason}` : ''}`;
      (r.kind === 'direct' ? ctx.log.info : ctx.log.warn).call(ctx.log, { route: st }, line);
    }
  }
  const raised = [...next].filter(([k]) => !mem.findings.has(k)).map(([, f]) => f);
  const resolved = [...mem.findings].filter(([k]) => !next.has(k)).map(([, f]) => f);
  mem.findings = next;
  const poll = ctx.state.openFindings.filter((f) => !ROUTE_RULES.has(f.rule));
  ctx.state.findings(
    [...poll, ...next.values()],
    [
      ...raised.map((finding) => ({ change: 'raised' as const, finding })),
      ...resolved.map((finding) => ({ change: 'resolved' as const, finding })),
    ],
  );
  const events = [
    ...raised.map((f) => alertEvent('raised', f, mesh, now)),
    ...resolved.map((f) => ({ ...alertEvent('resolved', f, mesh, now), message: `resolved: ${f.message}` })),
  ];
  for (const e of events)
    await Promise.all(
      ctx.sinks.map((s) =>
        s.send(e).catch((err) => ctx.log.warn({ sink: s.name, err: errorField(err) }, 'alert not delivered')),
      ),
    );
}

/** What a route pass is about to write (its action takes the same id). */
function routeIntent(ctx: Ctx, observed: string, key: string): NewIntent {
  const node = ctx.m.spec.nodes[0]?.name;
  return {
    id: actionId('route', 'reroute', 'mesh', `${observed}|${key}`),
    loop: 'route',
    kind: 'reroute',
    target: 'mesh',
    detail: `route ${key || 'all direct'}`,
    ...(node ? { node } : {}),
  };
}

export async function routeOnce(ctx: Ctx): Promise<void> {
  const f = ctx.m.spec.failover;
  if (!f) return;
  const mem = memoryOf(ctx);
  mem.current ??= await readRoutes(ctx);
  const current = mem.current;
  feedRules(ctx, f, mem, current);
  const healthyNodes = new Set(
    (ctx.poller.last?.snapshots ?? []).filter((s) => s.reachable).map((s) => s.node),
  );
  const routes = desiredRoutes({
    spec: ctx.m.spec,
    failover: f,
    rules: mem.rules,
    current,
    healthy: (n) => healthyNodes.has(n),
    now: ctx.clock.now(),
  });
  const want = routeSet(routes, current);
  const key = [...want].map(([k, r]) => `${k}=${r.via}/${r.mode}`).join(',');
  if (sameRoutes(want, current) && mem.pending !== key) return report(ctx, mem, routes, true);
  const prep = await preparePlan({ file: ctx.m.file, routes: want }, ctx.deps);
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  try {
    let intent: Intent | undefined;
    const outcome = await executePlan(
      prep,
      async (view) => {
        if (ctx.dryRun) return false;
        // write-ahead: the routes about to be written are on disk before any node is
        if (view.changes) intent = ctx.intend(routeIntent(ctx, prep.plan.observed, key));
        return true;
      },
      ctx.deps,
    ).catch(async (e) => {
      await failIntent(ctx, intent, e);
      throw e;
    });
    const changed = [...new Set([...want.keys(), ...current.keys()])]
      .filter((k) => want.get(k)?.via !== current.get(k)?.via || want.get(k)?.mode !== current.get(k)?.mode)
      .sort();
    const what = changed.map((k) => `${k} ${want.get(k) ? `via ${want.get(k)?.via}` : 'direct'}`).join(', ');
    const ok = outcome.ok && !ctx.dryRun;
    // one action per route set tried, and one when a retried set is complete (retries are quiet)
    if (mem.pending !== key || ok)
      await ctx.record(
        {
          id: actionId('route', 'reroute', 'mesh', `${prep.plan.observed}|${key}`),
          ...(intent ? { intent } : {}),
          loop: 'route',
          kind: 'reroute',
          target: 'mesh',
          outcome: ctx.dryRun ? 'dry-run' : ok ? 'done' : 'failed',
          detail: ctx.dryRun
            ? `would route ${what}`
            : ok
              ? `routed ${what || key || 'all direct'} (${outcome.applied} change(s))`
              : `routing ${what}: ${outcome.partial ? 'partly applied' : 'not applied'}; not done on ${outcome.failed.join(', ')} (retried every pass)`,
        },
        undefined,
        outcome.nodes.find((n) => n.applied > 0)?.node ?? ctx.m.spec.nodes[0]?.name,
      );
    else ctx.forget(intent); // a quiet retry: its first try's action says it
    if (ctx.dryRun) return report(ctx, mem, routes, false);
    // a set not fully written (a node unreachable, a write refused) is retried every pass until it
    // is: what was written already runs (store-and-forward: the leg into the relay while B is away)
    mem.pending = ok ? undefined : key;
    if (ok || outcome.applied > 0) mem.current = want;
    await report(ctx, mem, routes, ok || outcome.applied > 0);
  } finally {
    await prep.close();
  }
}
