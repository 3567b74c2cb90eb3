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
 * Records every intent a previous run left open as an `interrupted` action (at the intent's time,
 * so the timeline keeps its order). Each completes its intent: killed again halfway, the rest are
 * recorded by the next start.
 */
export async function recoverIntents(
  ctx: Pick<Ctx, 'store' | 'record' | 'log'>,
): Promise<ControllerAction[]> {
  const out: ControllerAction[] = [];
  for (const i of ctx.store.openIntents()) {
    try {
      out.push(await ctx.record({ ...interruptedAction(i), intent: i }, undefined, i.node));
    } catch (e) {
      ctx.log.warn({ intent: i.id, err: errorField(e) }, 'interrupted action not recorded');
    }
  }
  return out;
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
