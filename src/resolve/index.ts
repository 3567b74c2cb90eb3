/** Conflict resolution: pure strategies, the per-database worker, the audit trail and undo. */

export { sortByWinner, winnerOf, winnerOrder } from '../couchdb/winner.ts';
export {
  type AuditBatchDoc,
  type AuditIndexDoc,
  CHUNK_LIMITS,
  type ChunkLimits,
  chunkEntries,
} from './audit/batch-doc.ts';
export { type AuditReadClient, listAuditEntries } from './audit/batch-read.ts';
export { CouchAuditSink } from './audit/couch-sink.ts';
export type { AuditEntry, AuditedLeaf, DeclineEntry, ResolutionEntry, UndoEntry } from './audit/entry.ts';
export { NdjsonAuditSink } from './audit/ndjson-sink.ts';
export type { AuditSink } from './audit/sink.ts';
export type { AuditConfig, ConflictsConfig, StrategyConfig, StrategyName } from './config.ts';
export {
  AuditSchema,
  ConflictsConfigSchema,
  parseConflictsConfig,
  STRATEGY_NAMES,
  StrategySchema,
} from './config.ts';
export { ConflictResolver, type Decision } from './decide.ts';
export type { EventSink, ResolverEvent } from './events.ts';
export { type ConflictDetail, type ConflictSummary, listConflicts, showConflict } from './inspect.ts';
export { LeafReader } from './io/fetch.ts';
export type { Json, JsonObject } from './json.ts';
export { canonical, canonicalText } from './json.ts';
export type { FetchedLeaf, Leaf } from './leaf.ts';
export { planResolution, type ResolutionPlan } from './plan.ts';
export { formatDetail, formatEntry, formatEvent, formatList, formatProgress, formatStats } from './report.ts';
export { predictRev, tombstoneRev } from './revs.ts';
export type { ResolverStats } from './stats.ts';
export { extremum, fieldMerge, lww, union } from './strategies/index.ts';
export {
  decline,
  declined,
  merged,
  type Strategy,
  type StrategyContext,
  type StrategyOutcome,
} from './strategy.ts';
export { type UndoOptions, type UndoResult, undoResolution } from './undo.ts';
export { ResolverWorker, type RunReport, type WorkerOptions } from './worker.ts';
