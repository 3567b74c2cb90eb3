import { type CouchClient, dbPath } from '../../couch/index.ts';
import { jsonText } from '../json.ts';
import type { ResolutionPlan } from '../plan.ts';

/** How one document's resolution write went. */
export interface WriteOutcome {
  /** The merged revision was written (or there was none to write). */
  mergedOk: boolean;
  /** The server's rev of the merged revision, when one was written. */
  mergedRev?: string;
  /** Loser rev -> the tombstone rev the server answered. */
  deleted: Map<string, string>;
  /** Per failed write: the rev it was written on, CouchDB's error and reason. */
  errors: Array<{ rev: string; error: string; reason: string }>;
}

/**
 * A plan's `_bulk_docs` rows as JSON text (memoised). The batch builds them while it decides, so that
 * the write leaves the moment the audit is acknowledged: serialising 500 merged bodies there (~10 ms)
 * was a gap in which the node had nothing to do (measured with the request timeline of a resolve run).
 */
export function planDocsText(p: ResolutionPlan): string {
  let t = texts.get(p);
  if (t === undefined) {
    // sent as text: the merged bodies keep their number lexemes, so CouchDB computes the predicted revs
    t = p.docs.map((d) => jsonText(d)).join(',');
    texts.set(p, t);
  }
  return t;
}

const texts = new WeakMap<ResolutionPlan, string>();

type BulkAnswer = Array<{ ok?: boolean; id?: string; rev?: string; error?: string; reason?: string }>;

/**
 * One `_bulk_docs` for a batch of resolutions: per document the merged body on the parent, then a
 * `{_id, _rev, _deleted: true}` per loser. Answers are matched back by position. Resending after a
 * lost answer is safe: what was applied the first time comes back as 409, which the caller re-reads.
 */
export async function writePlans(
  client: CouchClient,
  db: string,
  plans: readonly ResolutionPlan[],
  signal?: AbortSignal,
): Promise<Map<string, WriteOutcome>> {
  const out = new Map<string, WriteOutcome>();
  const rows = plans.filter((p) => p.docs.length).map(planDocsText);
  if (!rows.length) return out;
  const res = await client.post<BulkAnswer>(
    `${dbPath(db)}/_bulk_docs`,
    `{"docs":[${rows.join(',')}]}`,
    undefined,
    {
      signal,
      idempotent: true,
      headers: { 'content-type': 'application/json' },
    },
  );
  let i = 0;
  for (const p of plans) {
    const o: WriteOutcome = { mergedOk: true, deleted: new Map(), errors: [] };
    for (const doc of p.docs) {
      const r = res[i++] ?? { error: 'missing_answer', reason: 'the server answered fewer rows' };
      const rev = doc._rev as string;
      const isDeletion = doc._deleted === true;
      if (r.error || !r.ok) {
        o.errors.push({ rev, error: r.error ?? 'unknown', reason: r.reason ?? '' });
        if (!isDeletion) o.mergedOk = false;
      } else if (isDeletion) o.deleted.set(rev, r.rev as string);
      else o.mergedRev = r.rev;
    }
    out.set(p.docId, o);
  }
  return out;
}
