import { createHash } from 'node:crypto';
import type { RepEndpoint, RepSpec } from './rep-doc.ts';

const DEFAULT_PORTS: Record<string, string[]> = { 'http:': ['80', '5984'], 'https:': ['443'] };

function endpointTerm(e: RepEndpoint): unknown[] {
  const u = new URL(e.url);
  const port = u.port && !DEFAULT_PORTS[u.protocol]?.includes(u.port) ? u.port : null;
  const headers = Object.entries(e.headers)
    .map(([k, v]) => [k.toLowerCase(), v])
    .filter(([k]) => k !== 'accept' && k !== 'user-agent')
    .sort();
  // the password is not part of the id: rotating it keeps the checkpoints (couch_replicator_ids)
  return ['remote', e.auth?.username ?? null, u.hostname, port, u.pathname, headers];
}

/**
 * Replication id, shaped like CouchDB's v4 ids (couch_replicator_ids:replication_id/2): an md5
 * over the node's uuid, both endpoints (user, host, non-default port, path, headers — never the
 * password), the filter (a design-doc filter's code), winning_revs_only and since_seq; plus `+continuous` / `+create_target`.
 * Same node + same job definition = same id, so restarts find their checkpoints.
 */
export function replicationId(serverUuid: string, spec: RepSpec): { base: string; id: string } {
  const filter = spec.docIds
    ? ['doc_ids', spec.docIds]
    : spec.selector
      ? ['selector', spec.selector]
      : spec.filter
        ? // a design-doc filter counts by its code (fetched from the source), a builtin by its name
          ['filter', spec.filterCode ?? spec.filter, spec.queryParams ?? {}]
        : [];
  const term = [
    serverUuid,
    endpointTerm(spec.source),
    endpointTerm(spec.target),
    ...filter,
    ...(spec.winningRevsOnly ? ['winning_revs_only'] : []),
    ...(spec.sinceSeq !== undefined ? [spec.sinceSeq] : []),
  ];
  const base = createHash('md5').update(JSON.stringify(term)).digest('hex');
  return {
    base,
    id: base + (spec.continuous ? '+continuous' : '') + (spec.createTarget ? '+create_target' : ''),
  };
}
