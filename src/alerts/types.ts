/**
 * Alerts: what is sent when a finding is raised, changes severity, or clears. One event per
 * transition (the poller's raised / changed / resolved diff), never one per poll.
 */
import { findingKey } from '../health/diff.ts';
import type { Evidence, Finding, RuleId, Severity } from '../health/types.ts';

export type AlertEventType = 'raised' | 'changed' | 'resolved';

export interface AlertEvent {
  type: 'couchmesh.alert';
  event: AlertEventType;
  /** stable identity of the finding: `rule|link|db|direction|node` */
  key: string;
  mesh: string;
  /** ISO-8601 time of the poll that saw the transition */
  at: string;
  /** ISO-8601 time the alert was first raised (Alertmanager's startsAt) */
  raised_at?: string;
  /** the finding's severity (for `resolved`: the severity it had) */
  severity: Severity;
  /** for `changed`: the severity before */
  previous_severity?: Severity;
  rule: RuleId;
  link: string | null;
  db: string | null;
  direction: string | null;
  node: string | null;
  message: string;
  evidence: Evidence;
  playbook: string;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export const atLeast = (s: Severity, min: Severity) => SEVERITY_RANK[s] >= SEVERITY_RANK[min];

export function alertEvent(
  event: AlertEventType,
  f: Finding,
  mesh: string,
  at: number,
  previous?: Severity,
  raisedAt?: number,
): AlertEvent {
  return {
    type: 'couchmesh.alert',
    event,
    key: findingKey(f),
    mesh,
    at: new Date(at).toISOString(),
    ...(raisedAt !== undefined ? { raised_at: new Date(raisedAt).toISOString() } : {}),
    severity: f.severity,
    ...(previous ? { previous_severity: previous } : {}),
    rule: f.rule,
    link: f.link,
    db: f.db,
    direction: f.direction,
    node: f.node,
    message: event === 'resolved' ? `resolved: ${f.message}` : f.message,
    evidence: f.evidence,
    playbook: f.playbook,
  };
}

/** Where alerts go. `send` may throw: the alerter records the failure and goes on. */
export interface AlertSink {
  /** for error reports, e.g. `webhook https://hooks.example/…` (never credentials) */
  readonly name: string;
  /** events of findings below this severity are not sent (a resolved one only if its raise was sent) */
  readonly minSeverity: Severity;
  send(event: AlertEvent): Promise<void>;
  /** called once per poll after its events: a sink may re-send what is still firing */
  refresh?(at: number): Promise<void>;
  close?(): Promise<void>;
}
