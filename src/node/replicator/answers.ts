// Shape checks of the peer answers the replicator acts on. A 2xx whose JSON is not what CouchDB
// answers (a broken gateway, a server that is not CouchDB) must crash the job with a reason naming
// the request, as couch_replicator's workers crash on a bad match: acting on it would read "nothing
// missing" or "all written" into garbage, move `through_seq` and checkpoint past documents the
// target never got. A crash is retried with backoff and resumes from the last true checkpoint.
import type { ChangeRow, Peer } from './peer.ts';
import { RepCrash } from './peer.ts';

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** `_revs_diff`: an object of `{missing: [rev…]}` per doc id (ids without missing revs are absent). */
export function revsDiffAnswer(
  peer: Peer,
  body: unknown,
): Record<string, { missing: string[]; possible_ancestors?: string[] }> {
  const bad = () =>
    new RepCrash(`bad_response: POST ${peer.url}_revs_diff answered a body that is not a revs_diff result`);
  if (!isObject(body)) throw bad();
  for (const d of Object.values(body))
    if (!isObject(d) || !Array.isArray(d.missing) || d.missing.some((r) => typeof r !== 'string'))
      throw bad();
  return body as Record<string, { missing: string[]; possible_ancestors?: string[] }>;
}

/** `_bulk_docs` (new_edits=false): an array of the per-doc errors (empty when all were stored). */
export function bulkDocsAnswer(peer: Peer, body: unknown): Array<{ error?: string }> {
  if (!Array.isArray(body) || body.some((x) => !isObject(x)))
    throw new RepCrash(
      `bad_response: POST ${peer.url}_bulk_docs answered a body that is not a list of results`,
    );
  return body as Array<{ error?: string }>;
}

/**
 * open_revs (`GET /db/id?open_revs=[rev]`): a non-empty list of `{ok: doc}` / `{missing: rev}`. An
 * empty list or other entries would drop the revision without a word.
 */
export function openRevsAnswer<D>(
  peer: Peer,
  path: string,
  body: unknown,
): Array<{ ok?: D; missing?: string }> {
  const entry = (x: unknown) => isObject(x) && (isObject(x.ok) || typeof x.missing === 'string');
  if (!Array.isArray(body) || body.length === 0 || !body.every(entry))
    throw new RepCrash(`bad_response: GET ${peer.url}${path} answered a body that is not an open_revs list`);
  return body as Array<{ ok?: D; missing?: string }>;
}

/** One `_changes` page: `results` rows of `{seq, id, changes: [{rev}]}`. */
export function changesAnswer(
  peer: Peer,
  body: unknown,
): { results: ChangeRow[]; last_seq?: ChangeRow['seq']; pending?: number } {
  const row = (r: unknown) =>
    isObject(r) &&
    typeof r.id === 'string' &&
    r.seq !== undefined &&
    Array.isArray(r.changes) &&
    r.changes.every((c) => isObject(c) && typeof c.rev === 'string');
  if (!isObject(body) || !Array.isArray(body.results) || !body.results.every(row))
    throw new RepCrash(`bad_response: ${peer.url}_changes answered a body that is not a changes feed`);
  return body as { results: ChangeRow[]; last_seq?: ChangeRow['seq']; pending?: number };
}

/** A checkpoint write (`PUT _local/<rep id>`): `{ok, id, rev}`; without a rev it was not recorded. */
export function checkpointWriteAnswer(peer: Peer, path: string, body: unknown): string {
  if (!isObject(body) || typeof body.rev !== 'string')
    throw new RepCrash(`bad_response: PUT ${peer.url}${path} answered a body without the checkpoint's rev`);
  return body.rev;
}

/** A checkpoint read that found one: a document, else garbage to crash on (not a reason to re-scan). */
export function checkpointReadAnswer<D>(peer: Peer, path: string, body: unknown): D {
  if (!isObject(body))
    throw new RepCrash(`bad_response: GET ${peer.url}${path} answered a body that is not a document`);
  return body as D;
}
