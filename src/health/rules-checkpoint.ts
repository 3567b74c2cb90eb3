/**
 * Checkpoint integrity: the `_local/<rep id base>` docs on source and target (seed: "the live
 * checkpoint is stored in the _local/<replication_id> documents on source and target"; "regular
 * validation of checkpoint integrity"), judged by CouchDB's resume rule `compare_replication_logs`
 * (src/couchdb/replication-log.ts; REFERENCE A4): same session_id -> resume from source_last_seq;
 * else the history walk's shared entry -> its recorded_seq; else "no common ancestry" -> re-scan
 * from 0 / since_seq.
 */
import { compareReplicationLogs } from '../couchdb/replication-log.ts';
import { type Seq, seqEquals, seqNumber } from '../couchdb/seq.ts';
import type { CheckpointDoc, CheckpointPair } from '../observe/types.ts';
import { PLAYBOOK } from './playbook.ts';
import type { Finding, Severity } from './types.ts';

/** Re-exported for importers of its old place; the type lives in observe/types.ts. */
export type { CheckpointPair };

export type CheckpointComparison =
  | { outcome: 'same-session'; resumeSeq: Seq }
  | { outcome: 'same-session-diverged'; sourceSeq: Seq; targetSeq: Seq }
  | { outcome: 'common-history'; sessionId: string; resumeSeq: Seq | null }
  | { outcome: 'no-common-ancestry' }
  | { outcome: 'missing'; missing: 'source' | 'target' | 'both' };

/**
 * CouchDB's compare_replication_logs over the pair (core), plus what only an observer checks: on
 * the same session, whether both sides recorded the same source_last_seq (CouchDB writes both in
 * one commit_to_both, so a difference means one write was lost or rolled back).
 */
export function compareCheckpoints(
  source: CheckpointDoc | null,
  target: CheckpointDoc | null,
): CheckpointComparison {
  if (!source || !target)
    return { outcome: 'missing', missing: !source && !target ? 'both' : !source ? 'source' : 'target' };
  const c = compareReplicationLogs(source, target);
  switch (c.kind) {
    case 'same-session':
      return seqEquals(source.source_last_seq, target.source_last_seq)
        ? { outcome: 'same-session', resumeSeq: c.seq }
        : {
            outcome: 'same-session-diverged',
            sourceSeq: source.source_last_seq,
            targetSeq: target.source_last_seq,
          };
    case 'common-ancestor':
      return {
        outcome: 'common-history',
        sessionId: c.entry.session_id,
        resumeSeq: c.entry.recorded_seq ?? null,
      };
    case 'no-common-ancestry':
      return { outcome: 'no-common-ancestry' };
  }
}

const direction = (p: CheckpointPair) => `${p.from}->${p.to}`;

function describe(
  c: CheckpointComparison,
  p: CheckpointPair,
): { severity: Severity; message: string } | null {
  const where = `${direction(p)} (${p.db})`;
  switch (c.outcome) {
    case 'same-session':
      return null;
    case 'missing':
      return c.missing === 'both'
        ? {
            severity: 'info',
            message: `${where} has no checkpoint on either side yet (new job, reset, or use_checkpoints=false)`,
          }
        : {
            severity: 'critical',
            message: `${where}: the checkpoint on the ${c.missing} is missing — the next restart finds no common ancestry and re-scans from 0`,
          };
    case 'same-session-diverged':
      return {
        severity: 'warning',
        message: `${where}: same session on both sides but different source_last_seq`,
      };
    case 'common-history':
      return {
        severity: 'warning',
        message: `${where}: source and target checkpoints are from different sessions; a restart rewinds to the shared session's recorded_seq`,
      };
    case 'no-common-ancestry':
      return {
        severity: 'critical',
        message: `${where}: source and target checkpoints share no session in their history — the next restart re-scans from 0`,
      };
  }
}

/** A finding when the two checkpoint docs disagree (or one is gone); null when they agree. */
export function checkpointIntegrityRule(p: CheckpointPair): Finding | null {
  const c = compareCheckpoints(p.source, p.target);
  const d = describe(c, p);
  if (!d) return null;
  const evidence = {
    outcome: c.outcome,
    sourceSession: p.source?.session_id ?? null,
    targetSession: p.target?.session_id ?? null,
    sourceLastSeq: seqNumber(p.source?.source_last_seq),
    targetLastSeq: seqNumber(p.target?.source_last_seq),
    sourceHistory: p.source?.history.length ?? null,
    targetHistory: p.target?.history.length ?? null,
    resumeSeq: c.outcome === 'common-history' ? seqNumber(c.resumeSeq) : null,
    seqHeuristic: true,
  };
  return {
    rule: 'checkpoint-integrity',
    severity: d.severity,
    link: p.link,
    direction: direction(p),
    db: p.db,
    node: null,
    evidence,
    message: d.message,
    playbook: PLAYBOOK.integrity,
  };
}
