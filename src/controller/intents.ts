/**
 * Write-ahead intents: the action log survives SIGKILL. A loop notes what it is about to do
 * (store.ts `Intent`, fsynced) before it writes to the nodes, and its `record` completes it in the
 * same transaction. A controller killed in between leaves the intent; the next start records it
 * as an `interrupted` action (store, timeline, API, log, alert sinks, audit), saying what it was
 * about to do. The loops are level-based, so their next pass re-reads the nodes and does what is
 * still needed without acting twice (apply through the plan, resolution through the audit).
 */
import { randomUUID } from 'node:crypto';
import { redactDeep } from '../core/redact.ts';
import type { CouchClient } from '../couch/client.ts';
import { actionAlert } from './alerts.ts';
import { auditAction } from './audit.ts';
import type { Ctx, NewAction, NewIntent } from './context.ts';
import { errorField } from './log.ts';
import { actionId } from './policy.ts';
import type { Intent } from './store.ts';
import type { ControllerAction } from './view.ts';

/** Writes the intent (redacted) to the store and returns it. */
export function writeIntent(ctx: Pick<Ctx, 'clock' | 'redact' | 'store'>, i: NewIntent): Intent {
  const at = ctx.clock.now();
  const intent: Intent = redactDeep(
    { ...i, id: i.id ?? actionId(i.loop, i.kind, i.target, `${at}|${randomUUID()}`), at },
    ctx.redact,
  );
  ctx.store.putIntent(intent);
  return intent;
}

/** The action an intent left by a killed controller becomes. */
export function interruptedAction(i: Intent): NewAction & { id: string } {
  return {
    id: i.id,
    loop: i.loop,
    kind: i.kind,
    target: i.target,
    outcome: 'interrupted',
    detail: `interrupted (the controller stopped before recording the outcome) while about to ${i.detail}; the next pass does what is still needed`,
    ...(i.finding ? { finding: i.finding } : {}),
  };
}

/**
 * Records every intent a previous run left open as an `interrupted` action, at the intent's time
 * (the timeline keeps its order), in two steps. At once, before any loop's first pass: the store
 * (which drops the intent in the same transaction), the snapshot, the metrics and the log, so a
 * loop redoing it under the same id (remediation, a route set) records its completion after, never
 * before. Then, returned to await: its audit record and the alert sinks (network, so not in the
 * way of the loops). A run killed between the two keeps the row and misses that audit and alert.
 */
export function recoverIntents(
  ctx: Pick<Ctx, 'store' | 'state' | 'metrics' | 'log' | 'redact' | 'm' | 'sinks'>,
): { actions: ControllerAction[]; announced: Promise<void> } {
  const actions = ctx.store.openIntents().map((i) => {
    const a: ControllerAction = redactDeep(
      { ...interruptedAction(i), at: new Date(i.at).toISOString() },
      ctx.redact,
    );
    ctx.store.putAction(a);
    ctx.state.action(a);
    ctx.metrics.controller.action(a.loop, a.kind, a.outcome);
    ctx.log.warn({ action: a }, `${a.loop}: ${a.kind} ${a.target} ${a.outcome}: ${a.detail}`);
    return { a, node: i.node };
  });
  const announced = (async () => {
    for (const { a, node } of actions) {
      let action = a;
      const client = node ? (ctx.m.clients.get(node) as CouchClient | undefined) : undefined;
      if (client)
        try {
          action = { ...a, audit_id: await auditAction(client, ctx.m.spec.mesh, a) };
          // unless a loop has completed it meanwhile (same id): its row is newer than this one
          if (ctx.store.action(a.id)?.outcome === 'interrupted') {
            ctx.store.putAction(action);
            ctx.state.action(action);
          }
        } catch (e) {
          ctx.log.warn({ action: a.id, err: errorField(e) }, 'audit record not written');
        }
      const event = redactDeep(actionAlert(ctx.m.spec.mesh, action, undefined), ctx.redact);
      await Promise.all(
        ctx.sinks.map((s) =>
          s
            .send(event)
            .catch((e) => ctx.log.warn({ sink: s.name, err: errorField(e) }, 'alert not delivered')),
        ),
      );
    }
  })();
  return { actions: actions.map((x) => x.a), announced };
}

/**
 * A loop's act threw after its intent was written: recorded `failed` (the error says why), unless
 * the controller is being stopped (the in-flight work aborted): then the intent stays, and the
 * next start records it as interrupted, which is what happened.
 */
export async function failIntent(ctx: Ctx, intent: Intent | undefined, e: unknown): Promise<void> {
  if (!intent || ctx.deps.signal?.aborted) return;
  await ctx.record(
    {
      loop: intent.loop,
      kind: intent.kind,
      target: intent.target,
      outcome: 'failed',
      detail: `${intent.detail}: ${e instanceof Error ? e.message : String(e)}`,
      intent,
      ...(intent.finding ? { finding: intent.finding } : {}),
    },
    undefined,
    intent.node,
  );
}
