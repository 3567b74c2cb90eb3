/**
 * Alerts that survive a restart. The Alerter (src/alerts) remembers in memory what it told each
 * sink; a restarted controller would raise every open finding again. `RememberingSink` keeps that
 * memory in the store: a raise a sink was already told (same key, same severity) is not sent
 * again, a `resolved` only for what it was told. `sweepStale` resolves what a sink was told before
 * the restart and is no longer open. Controller actions are alerts too (`action|<id>`), sent once.
 * A sink is told first and the store second: a kill between the two sends that event again after
 * the restart (at least once: an alert is never lost to a crash, at worst repeated once).
 */
import { type AlertEvent, type AlertSink, alertEvent } from '../alerts/types.ts';
import type { Finding, RuleId, Severity } from '../health/types.ts';
import type { ControllerStore } from './store.ts';
import type { ControllerAction } from './view.ts';

export class RememberingSink implements AlertSink {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly #id: string;

  constructor(
    readonly inner: AlertSink,
    private readonly store: ControllerStore,
    index: number,
  ) {
    this.name = inner.name;
    this.minSeverity = inner.minSeverity;
    this.#id = `${index}:${inner.name}`;
  }

  async send(e: AlertEvent): Promise<void> {
    const told = this.store.told(this.#id, e.key);
    if (e.event === 'resolved') {
      if (told === undefined) return;
      await this.inner.send(e);
      this.store.tell(this.#id, e.key, null, Date.parse(e.at));
      return;
    }
    if (told === e.severity) return;
    await this.inner.send(e);
    this.store.tell(this.#id, e.key, e, Date.parse(e.at));
  }

  /** Resolves what this sink was told about findings (not actions) that are no longer open. */
  async sweepStale(openKeys: ReadonlySet<string>, at: number): Promise<number> {
    let n = 0;
    for (const { key, event } of this.store.toldEvents(this.#id)) {
      if (key.startsWith('action|') || openKeys.has(key)) continue;
      const e = event as AlertEvent;
      await this.send({
        ...e,
        event: 'resolved',
        at: new Date(at).toISOString(),
        message: `resolved: ${e.message}`,
      });
      n++;
    }
    return n;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

const ACTION_RULE: Record<ControllerAction['loop'], RuleId> = {
  drift: 'doc-missing',
  remediate: 'seq-regression',
  resolve: 'writes-failing',
  'deep-check': 'seq-regression',
  operator: 'doc-missing',
  route: 'rerouted',
};

/** An action as an alert event (sent once: its key is the action's id). */
export function actionAlert(mesh: string, a: ControllerAction, f: Finding | undefined): AlertEvent {
  // interrupted: it may have acted in part, as a done action has
  const severity: Severity =
    a.outcome === 'failed'
      ? 'critical'
      : a.outcome === 'done' || a.outcome === 'interrupted'
        ? 'warning'
        : 'info';
  const dir = /^direction:([^/]+)\/(.+)$/.exec(a.target);
  const finding: Finding = {
    rule: f?.rule ?? ACTION_RULE[a.loop],
    severity,
    link: f?.link ?? null,
    direction: f?.direction ?? dir?.[1] ?? null,
    db: f?.db ?? dir?.[2] ?? null,
    node: f?.node ?? null,
    evidence: { action: a.id, loop: a.loop, kind: a.kind, target: a.target, outcome: a.outcome },
    message: `controller ${a.kind} on ${a.target}: ${a.outcome} — ${a.detail}`,
    playbook: 'see the controller log and the audit record for what was done',
  };
  // an interrupted action's completion by the next run may take its id (remediation): its own key,
  // so the sink that was told "interrupted" is told "done" too
  const key = `action|${a.id}${a.outcome === 'interrupted' ? '|interrupted' : ''}`;
  return { ...alertEvent('raised', finding, mesh, Date.parse(a.at)), key };
}
