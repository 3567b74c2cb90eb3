/**
 * The controller (`couchmesh run`): keeps the mesh as declared. One keyed work queue (queue.ts)
 * feeds level-based loops: `observe` (poll + health + alerts), `mesh` (drift repair), `deep`
 * (database identities + checkpoints), `conflicts:<db>` (resolution) and `direction:…`
 * (remediation). Each loop re-reads the state it acts on and re-queues itself on its cadence.
 * Everything it remembers is in the nodes, the audit db and the local store (store.ts), so a
 * controller killed and restarted converges without repeating itself.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { Alerter, sinksFromConfig } from '../alerts/alerter.ts';
import { alertsConfigFromFlags } from '../alerts/schema.ts';
import { redactDeep } from '../core/redact.ts';
import type { CouchClient } from '../couch/client.ts';
import type { SampleSource } from '../failover/types.ts';
import type { Finding } from '../health/types.ts';
import { MeshMetrics } from '../metrics/exporter.ts';
import { clockOf, type MeshDeps } from '../ops/deps.ts';
import { MeshInvalidError, openMesh } from '../ops/mesh.ts';
import { meshRedactor } from '../ops/mesh-secrets.ts';
import { newPoller } from '../ops/poll.ts';
import { DEFAULT_CONTROLLER } from '../spec/controller.ts';
import { actionAlert, RememberingSink } from './alerts.ts';
import { auditAction } from './audit.ts';
import { commandsOf } from './commands.ts';
import type { Ctx, NewAction } from './context.ts';
import { graphOf, mermaidOf } from './graph.ts';
import { recoverIntents, writeIntent } from './intents.ts';
import { errorField, type Logger } from './log.ts';
import { CANARY_KEY, canaryLoopOf, canaryOnce } from './loop-canary.ts';
import { conflictsKey, conflictsOnce } from './loop-conflicts.ts';
import { deepOnce } from './loop-deep.ts';
import { driftOnce } from './loop-drift.ts';
import { observeOnce } from './loop-observe.ts';
import { remediateOnce } from './loop-remediate.ts';
import { routeOnce } from './loop-route.ts';
import { verifyOnce } from './loop-verify.ts';
import { actionId } from './policy.ts';
import { runWorkers, WorkQueue, type WorkResult } from './queue.ts';
import { conflictPolicies } from './resolve-loop.ts';
import { ControllerState } from './state.ts';
import { ControllerStore } from './store.ts';
import type { ControllerAction, ControllerHandle } from './view.ts';

export interface ControllerOptions {
  file?: string;
  dryRun?: boolean;
  /** the local store's folder (default `.couchmesh/` beside mesh.yaml) */
  stateDir?: string;
  /** alert sinks, as `status --watch` takes them */
  alerts?: { webhook?: string[]; webhookHeader?: string[]; alertLog?: string[]; minSeverity?: string };
  /** keys reconciled at the same time (default 4) */
  workers?: number;
  /** on stop, in-flight work gets this long before it is aborted (default 30 s) */
  graceMs?: number;
  log: (redact: (s: string) => string) => Logger;
  /** FAILOVER: canary samples per direction (tests inject one; the canary loop provides it) */
  canary?: SampleSource;
}

export interface Controller extends ControllerHandle {
  readonly stateDir: string;
  readonly log: Logger;
  /** stops the loops, lets in-flight work finish (then aborts it), closes alerts, store and clients */
  stop(): Promise<void>;
  /** resolves once stopped */
  readonly stopped: Promise<void>;
}

export const stateDirFor = (meshFile: string, given?: string) =>
  given ? resolve(given) : join(dirname(resolve(meshFile)), '.couchmesh');

export function startController(o: ControllerOptions, deps: MeshDeps): Controller {
  const opened = openMesh({ file: o.file }, deps);
  if (!opened.ok) throw new MeshInvalidError(opened.validation);
  const m = opened.mesh;
  const clock = clockOf(deps);
  const spec = m.spec.controller ?? DEFAULT_CONTROLLER;
  const stateDir = stateDirFor(m.file, o.stateDir);
  const redact = meshRedactor(m);
  let store: ControllerStore;
  let alertsConfig: ReturnType<typeof alertsConfigFromFlags>;
  try {
    // a bad alert flag (a header reference that does not resolve) fails before anything starts
    alertsConfig = alertsConfigFromFlags(o.alerts ?? {}, { env: deps.env });
    store = ControllerStore.open(stateDir, { now: clock.now() });
  } catch (e) {
    void m.close();
    throw e;
  }
  const log = o.log(redact);
  const abort = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, abort.signal]) : abort.signal;
  // every in-flight request and sleep of every loop listens to it
  setMaxListeners(1_000, signal);
  const opDeps: MeshDeps = { ...deps, signal };
  const pollIntervalMs = spec.poll_interval_ms ?? m.spec.thresholds.observe_interval_ms;
  const poller = newPoller(m, opDeps, { intervalMs: pollIntervalMs });
  const sinks = sinksFromConfig(alertsConfig, { clock }).map((s, i) => new RememberingSink(s, store, i));
  const alerter = new Alerter({
    mesh: m.spec.mesh,
    resolveAfterPolls: alertsConfig.resolve_after_polls,
    redact,
    sinks,
    onError: (sink, error) => log.warn({ sink: sink.name, err: errorField(error) }, 'alert not delivered'),
  });
  const graph = graphOf(m);
  const state = new ControllerState({
    mesh: m.spec.mesh,
    startedAt: clock.now(),
    dryRun: !!o.dryRun,
    ...graph,
    actions: store.recentActions(),
  });
  const queue = new WorkQueue({ clock });
  const metrics = new MeshMetrics(m.spec.mesh);
  const canary = canaryLoopOf(m, opDeps);
  const ctx: Ctx = {
    m,
    deps: opDeps,
    clock,
    spec,
    pollIntervalMs,
    store,
    state,
    queue,
    poller,
    alerter,
    sinks,
    metrics,
    log,
    redact,
    dryRun: !!o.dryRun,
    stateDir,
    recreated: new Map(),
    pollSeen: new Map(),
    episodes: new Map(),
    views: [],
    ...(o.canary ? { canary: o.canary } : canary ? { canary: canary.book } : {}),
    record: (a, f, node) => record(a, f, node),
    intend: (i) => writeIntent(ctx, i),
    forget: (i) => i && store.dropIntent(i.id),
  };

  async function record(
    a: NewAction,
    finding: Finding | undefined,
    node?: string,
  ): Promise<ControllerAction> {
    const { intent, ...rest } = a;
    const at = clock.now();
    let action: ControllerAction = redactDeep(
      {
        ...rest,
        // completing an intent: the same id (putAction drops the intent in the same transaction)
        id: intent?.id ?? rest.id ?? actionId(a.loop, a.kind, a.target, `${at}|${randomUUID()}`),
        at: new Date(at).toISOString(),
      },
      redact,
    );
    const client = node ? (m.clients.get(node) as CouchClient | undefined) : undefined;
    if (client && action.outcome !== 'rate-limited')
      try {
        action = { ...action, audit_id: await auditAction(client, m.spec.mesh, action) };
      } catch (e) {
        log.warn({ action: action.id, err: errorField(e) }, 'audit record not written');
      }
    store.putAction(action);
    state.action(action);
    metrics.controller.action(action.loop, action.kind, action.outcome);
    const level = action.outcome === 'failed' ? 'error' : 'info';
    log[level](
      { action },
      `${action.loop}: ${action.kind} ${action.target} ${action.outcome}: ${action.detail}`,
    );
    const event = redactDeep(actionAlert(m.spec.mesh, action, finding), redact);
    await Promise.all(
      sinks.map((s) =>
        s.send(event).catch((e) => log.warn({ sink: s.name, err: errorField(e) }, 'alert not delivered')),
      ),
    );
    return action;
  }

  const conflictDbs = conflictPolicies(m).map((p) => p.db);
  const ready = new Set<string>();
  async function handle(key: string): Promise<WorkResult | undefined> {
    const r = await handleKey(key);
    const loop = key.split(':')[0] as string;
    // keys still waiting after this pass (de-duplicated), as couchmesh_controller_queue_depth
    metrics.controller.queueDepth('all', queue.length);
    if (!ready.has(loop)) {
      ready.add(loop);
      log.info({ loop }, `loop ${loop}: first pass done`);
    }
    return r;
  }
  async function handleKey(key: string): Promise<WorkResult | undefined> {
    if (key === 'observe') {
      await observeOnce(ctx);
      // FAILOVER: the router reads this pass's observation (a failure of it is not the poll's)
      if (m.spec.failover)
        await routeOnce(ctx).catch((e) => {
          if (!signal.aborted) log.warn({ err: errorField(e) }, 'route pass failed');
        });
      return { requeueAfterMs: pollIntervalMs };
    }
    if (key === 'mesh') {
      await driftOnce(ctx);
      return { requeueAfterMs: spec.drift_interval_ms };
    }
    if (key === 'deep') {
      await deepOnce(ctx);
      return { requeueAfterMs: spec.deep_check_interval_ms };
    }
    if (key === CANARY_KEY && canary) return { requeueAfterMs: await canaryOnce(ctx, canary) };
    if (key === 'verify' && spec.verify_interval_ms) {
      await verifyOnce(ctx);
      return { requeueAfterMs: spec.verify_interval_ms };
    }
    if (key.startsWith('conflicts:')) {
      await conflictsOnce(ctx, key.slice('conflicts:'.length));
      return { requeueAfterMs: spec.conflicts_interval_ms };
    }
    if (key.startsWith('direction:')) {
      const again = await remediateOnce(ctx, key);
      return again === undefined ? undefined : { requeueAfterMs: again };
    }
    return undefined;
  }

  log.info(
    {
      mesh: m.spec.mesh,
      file: m.file,
      state_dir: stateDir,
      dry_run: !!o.dryRun,
      poll_interval_ms: pollIntervalMs,
    },
    `controller started for mesh ${m.spec.mesh}${o.dryRun ? ' (dry run)' : ''}`,
  );
  // what a killed run was doing when it died, recorded before any loop's first pass
  const recovering = recoverIntents(ctx).announced;
  const workers = runWorkers(queue, o.workers ?? 4, handle, (key, e) => {
    if (signal.aborted) return;
    metrics.controller.reconcileError(key.split(':')[0] as string);
    log.warn({ key, err: errorField(e), retry_in_failures: queue.failures(key) + 1 }, `${key} failed`);
  });
  queue.add('observe');
  queue.add('mesh');
  queue.add('deep');
  if (spec.verify_interval_ms) queue.add('verify');
  for (const db of conflictDbs) queue.add(conflictsKey(db));
  if (canary) queue.add(CANARY_KEY);

  let stopping: Promise<void> | undefined;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    markStopped = r;
  });
  const stop = () => {
    stopping ??= (async () => {
      log.info('controller stopping: finishing in-flight work');
      queue.shutDown();
      const graceOver = new AbortController();
      clock.sleep(o.graceMs ?? 30_000, graceOver.signal).then(
        () => abort.abort(),
        () => undefined,
      );
      await workers;
      await recovering;
      graceOver.abort();
      abort.abort();
      await alerter.close().catch(() => undefined);
      store.close();
      await m.close();
      log.info('controller stopped');
      markStopped();
    })();
    return stopping;
  };
  deps.signal?.addEventListener('abort', () => void stop(), { once: true });

  return {
    stateDir,
    log,
    stop,
    stopped,
    snapshot: () => state.snapshot(),
    subscribe: (l) => state.subscribe(l),
    metrics: async () => ({
      contentType: ctx.metrics.registry.contentType,
      body: await ctx.metrics.metrics(),
    }),
    mermaid: () => mermaidOf(m, state.snapshot().directions),
    ...commandsOf(ctx),
  };
}
