/**
 * Alert events in Alertmanager's format: the body of `POST /api/v2/alerts` (Alertmanager's OpenAPI
 * `postableAlerts`), an array of {labels, annotations, startsAt, endsAt, generatorURL}. Labels identify
 * an alert (Alertmanager groups and deduplicates on them), so they carry the finding's identity and
 * severity only, all strings; the message, playbook and evidence go into annotations. A resolved
 * alert carries `endsAt` (the poll that saw it clear); a firing one none, and is re-sent while it
 * fires, since Alertmanager resolves an alert not heard of for `resolve_timeout` (5 min by default).
 */
import type { AlertEvent } from './types.ts';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * The alerts one event posts. A `changed` event changes the severity label, i.e. the alert's identity
 * for Alertmanager: the old-severity alert is ended in the same post, so it does not linger.
 */
export function alertmanagerAlerts(e: AlertEvent, generatorURL?: string): AlertmanagerAlert[] {
  const now = alertmanagerAlert(e, generatorURL);
  if (e.event !== 'changed' || !e.previous_severity) return [now];
  const before = alertmanagerAlert({ ...e, event: 'resolved', severity: e.previous_severity }, generatorURL);
  delete before.annotations.previous_severity;
  return [before, now];
}

export function alertmanagerAlert(e: AlertEvent, generatorURL?: string): AlertmanagerAlert {
  const labels: Record<string, string> = {
    alertname: `couchmesh_${e.rule.replaceAll('-', '_')}`,
    severity: e.severity,
    mesh: e.mesh,
    rule: e.rule,
  };
  if (e.link) labels.link = e.link;
  if (e.db) labels.db = e.db;
  if (e.direction) labels.direction = e.direction;
  if (e.node) labels.node = e.node;
  const annotations: Record<string, string> = {
    summary: e.message,
    description: e.playbook,
    evidence: JSON.stringify(e.evidence),
    key: e.key,
  };
  if (e.previous_severity) annotations.previous_severity = e.previous_severity;
  return {
    labels,
    annotations,
    startsAt: e.raised_at ?? e.at,
    ...(e.event === 'resolved' ? { endsAt: e.at } : {}),
    ...(generatorURL ? { generatorURL } : {}),
  };
}
