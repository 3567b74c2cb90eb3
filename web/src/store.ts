/**
 * The dashboard's state: the controller's snapshot kept current by its events (the same reducer
 * the API's tests use), plus what only the stream shows over time: per direction the last polls
 * (state, throughput, lag, reason) for the timeline and sparklines, and a log of finding changes.
 */
import { useEffect, useState } from 'preact/hooks';
import { applyEvent } from '../../src/api/events.ts';
import type { ControllerEvent, ControllerSnapshot } from '../../src/controller/view.ts';
import type { Finding } from '../../src/health/types.ts';
import type { StatusReport } from '../../src/ops/status.ts';
import { type Connection, follow } from './api.ts';

export const HISTORY = 60;

export interface Sample {
  at: string;
  state: string;
  rate: number | null;
  lag: number | null;
  reason: string | null;
}

export interface FindingChange {
  at: string;
  change: 'raised' | 'changed' | 'resolved';
  finding: Finding;
}

export interface MeshState {
  snap: ControllerSnapshot | null;
  connection: Connection;
  /** `direction|db` -> the last HISTORY polls, oldest first */
  history: Map<string, Sample[]>;
  findingLog: FindingChange[];
}

export const dirKey = (d: { direction: string; db: string }) => `${d.direction}|${d.db}`;

function withPoll(history: Map<string, Sample[]>, status: StatusReport): Map<string, Sample[]> {
  const next = new Map(history);
  for (const r of status.directions) {
    const sample: Sample = {
      at: status.at,
      state: r.state,
      rate: r.docs_written_per_s,
      lag: r.changes_pending ?? r.lag_estimate,
      reason: r.reason,
    };
    const past = next.get(dirKey(r)) ?? [];
    if (past.at(-1)?.at === status.at) continue;
    next.set(dirKey(r), [...past, sample].slice(-HISTORY));
  }
  return next;
}

function reduce(s: MeshState, e: ControllerEvent): MeshState {
  if (!s.snap) return s;
  const snap = applyEvent(s.snap, e);
  if (e.type === 'poll') return { ...s, snap, history: withPoll(s.history, e.status) };
  if (e.type === 'finding') {
    const at = snap.status?.at ?? new Date().toISOString();
    const log = [...s.findingLog, { at, change: e.change, finding: e.finding }].slice(-200);
    return { ...s, snap, findingLog: log };
  }
  return { ...s, snap };
}

export function useMesh(): MeshState {
  const [state, setState] = useState<MeshState>({
    snap: null,
    connection: 'connecting',
    history: new Map(),
    findingLog: [],
  });
  useEffect(
    () =>
      follow({
        snapshot: (snap) =>
          setState((s) => ({
            ...s,
            snap,
            history: snap.status ? withPoll(s.history, snap.status) : s.history,
          })),
        event: (e) => setState((s) => reduce(s, e)),
        connection: (connection) => setState((s) => ({ ...s, connection })),
      }),
    [],
  );
  return state;
}
