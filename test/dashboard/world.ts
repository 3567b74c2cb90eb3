/**
 * What the dashboard tests do to the world, behind one interface: here the in-memory controller
 * (src/api/testing.ts) pushes recorded events; the integrator's run against the real controller
 * implements the same calls by stopping and restarting an embedded node and writing conflicting
 * revisions during a partition.
 */

import { type CommandCall, FakeController, recordedStatus } from '../../src/api/testing.ts';
import type { ControllerHandle, ResolutionSummary } from '../../src/controller/view.ts';
import type { StatusReport } from '../../src/ops/status.ts';

export interface World {
  handle: ControllerHandle;
  /** the node whose loss the test watches */
  victim: string;
  nodeDown(): Promise<void>;
  nodeUp(): Promise<void>;
  /** makes one conflicted document; returns the database and node the dashboard will count it on */
  conflictAppears(): Promise<{ db: string; node: string }>;
  /** the controller resolves it; returns the audit id of the resolution */
  conflictResolved(): Promise<string>;
  /** the commands the dashboard sent (an in-memory world records them; a real one may not) */
  calls?: CommandCall[];
  close(): Promise<void>;
}

/** A later poll of a recorded report: the dashboard sees a new poll, with the same rows. */
function later(r: StatusReport, poll: number): StatusReport {
  return { ...r, poll, at: new Date(Date.parse(r.at) + poll * 10_000).toISOString() };
}

export function fakeWorld(): World {
  const fake = new FakeController();
  const down = recordedStatus('n3-down');
  const finding = down.findings[0]!;
  let poll = 1;
  const counts = (conflicted: number, resolved: number) => ({
    db: 'sensors',
    node: 'n1',
    conflicted,
    resolved_total: resolved,
    declined_total: 0,
    at: new Date(Date.UTC(2026, 11, 7, 0, 1, poll)).toISOString(),
  });
  return {
    handle: fake,
    victim: 'n3',
    calls: fake.calls,
    async nodeDown() {
      fake.emit({ type: 'poll', status: later(down, ++poll) });
      fake.emit({ type: 'finding', change: 'raised', finding });
    },
    async nodeUp() {
      fake.emit({ type: 'poll', status: later(recordedStatus('healthy'), ++poll) });
      fake.emit({ type: 'finding', change: 'resolved', finding });
    },
    async conflictAppears() {
      fake.emit({ type: 'conflicts', counts: counts(1, 0) });
      return { db: 'sensors', node: 'n1' };
    },
    async conflictResolved() {
      const resolution: ResolutionSummary = {
        at: new Date(Date.UTC(2026, 11, 7, 0, 2, 0)).toISOString(),
        db: 'sensors',
        node: 'n1',
        doc_id: 'reading-42',
        strategy: 'lww',
        winner: '3-b7c1e0f5a2',
        losers: ['3-a1d9c4e2b0'],
        audit_id: 'audit-0001',
        undone: false,
      };
      fake.emit({ type: 'resolution', resolution });
      fake.emit({ type: 'conflicts', counts: counts(0, 1) });
      fake.emit({
        type: 'action',
        action: {
          id: 'resolve-1',
          at: resolution.at,
          loop: 'resolve',
          kind: 'resolve',
          target: 'db:sensors@n1',
          outcome: 'done',
          detail: '1 document resolved (lww)',
          audit_id: resolution.audit_id,
        },
      });
      return resolution.audit_id;
    },
    async close() {},
  };
}
