/** The CouchDB log lines about one replication (couch_replicator entries name the rep id and doc id). */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { maskUrlUserinfo, type Redactor } from '../core/redact.ts';

export interface LogMatches {
  file: string;
  /** what was searched for: the replication id base and the doc id */
  terms: string[];
  /** matching lines seen (all), and the last ones shown */
  total: number;
  lines: string[];
  error?: string;
}

/**
 * Lines of `file` containing any of `terms` (streamed: logs can be large); the last `keep` kept,
 * each through `redact` (URL userinfo and the mesh's known secrets masked, as CouchDB masks
 * `user:*****@` in its own log lines): an excerpt is shown and may be pasted anywhere.
 */
export async function grepLog(
  file: string,
  terms: string[],
  keep = 20,
  redact: Redactor = maskUrlUserinfo,
): Promise<LogMatches> {
  const out: LogMatches = { file, terms, total: 0, lines: [] };
  try {
    const rl = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of rl) {
      if (!terms.some((t) => line.includes(t))) continue;
      out.total++;
      out.lines.push(redact(line));
      if (out.lines.length > keep) out.lines.shift();
    }
  } catch (e) {
    out.error = redact(`${(e as NodeJS.ErrnoException).code ?? 'error'}: ${(e as Error).message}`);
  }
  return out;
}
