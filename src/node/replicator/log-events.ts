import { type LogLevel, type NodeLogger, oneLine, safeUrl } from '../log.ts';
import type { Job, JobEvent } from './scheduler.ts';

/**
 * couch_replicator's log lines for a job's events, carrying the replication id and the doc id (what
 * `couchmesh doctor --log` looks for). Endpoints are logged without credentials.
 */
export function logJobEvent(logger: NodeLogger, job: Job, type: JobEvent['type'], reason?: string): void {
  const doc = job.docId ? oneLine(`${job.db ?? '_replicator'}:${job.docId}`) : 'a _replicate request';
  const route = `\`${safeUrl(job.spec.source.url)}\` -> \`${safeUrl(job.spec.target.url)}\``;
  const lines: Record<JobEvent['type'], [LogLevel, string]> = {
    added: ['notice', `replication \`${job.id}\` added, from doc ${doc}`],
    started: ['notice', `starting replication \`${job.id}\` (${route}) from doc ${doc}`],
    crashed: [
      'error',
      `replication \`${job.id}\` (doc ${doc}) crashed: ${oneLine(reason ?? 'unknown reason')}`,
    ],
    stopped: ['notice', `replication \`${job.id}\` (doc ${doc}) stopped`],
  };
  const [level, message] = lines[type];
  logger.log(level, `couch_replicator: ${message}`);
}
