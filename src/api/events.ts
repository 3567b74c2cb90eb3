/**
 * How a snapshot follows the event stream: `applyEvent(snapshot, event)` is the snapshot the
 * controller would give after that event. Pure (no I/O, no DOM), so the dashboard keeps its copy
 * with it and the in-memory test controller (testing.ts) updates its own the same way.
 */

import { routed } from '../controller/route-view.ts';
import type { ControllerEvent, ControllerSnapshot } from '../controller/view.ts';
import type { Finding } from '../health/types.ts';

/** The bounded lists keep this many entries (newest last), as the controller's do. */
export const LIST_LIMIT = 200;

/** A finding's identity across polls: the rule and what it is about. */
export function findingKey(f: Finding): string {
  return [f.rule, f.node ?? '', f.link ?? '', f.direction ?? '', f.db ?? ''].join('|');
}

const bounded = <T>(list: T[]): T[] => (list.length > LIST_LIMIT ? list.slice(-LIST_LIMIT) : list);

/** Replaces the entry with the same key, else appends (keeps order, newest last). */
function upsert<T>(list: readonly T[], item: T, key: (t: T) => string): T[] {
  const k = key(item);
  const i = list.findIndex((t) => key(t) === k);
  return i < 0 ? bounded([...list, item]) : list.map((t, j) => (j === i ? item : t));
}

export function applyEvent(s: ControllerSnapshot, e: ControllerEvent): ControllerSnapshot {
  const next = { ...s, generation: Math.max(s.generation, e.generation) };
  switch (e.type) {
    case 'poll':
      return { ...next, status: e.status };
    case 'finding':
      return {
        ...next,
        findings:
          e.change === 'resolved'
            ? s.findings.filter((f) => findingKey(f) !== findingKey(e.finding))
            : upsert(s.findings, e.finding, findingKey),
      };
    case 'action':
      return { ...next, actions: upsert(s.actions, e.action, (a) => a.id) };
    case 'conflicts':
      return { ...next, conflicts: upsert(s.conflicts, e.counts, (c) => `${c.db}@${c.node}`) };
    case 'resolution':
      return { ...next, resolutions: upsert(s.resolutions, e.resolution, (r) => r.audit_id) };
    case 'drift':
      return { ...next, drift: e.drift };
    case 'route':
      return routed(next, e.route);
  }
}
