import type { Clock } from '../core/clock.ts';
import { userError } from '../core/errors.ts';
import { type CouchClient, docPath } from '../couch/index.ts';
import { sortByWinner } from '../couchdb/winner.ts';
import { entryId, type ResolutionEntry, type UndoEntry } from './audit/entry.ts';
import type { AuditSink } from './audit/sink.ts';
import { LeafReader } from './io/fetch.ts';
import { canonical, canonicalText, type JsonObject } from './json.ts';
import { predictRev } from './revs.ts';

export interface UndoOptions {
  client: CouchClient;
  db: string;
  audit: AuditSink;
  /** The resolution's audit entry id (`r:<doc>:<hash>`). */
  resolution: string;
  /** Which body to restore: a loser's rev, or the resolution's parent rev. Needed when there are several. */
  rev?: string;
  clock: Clock;
  recordedBy?: string;
}

export interface UndoResult {
  /** Set when this body was already restored by an earlier undo: nothing was written this time. */
  alreadyUndone?: { at: string };
  docId: string;
  restoredRev: string;
  /** The winner the restored body was written on, and the new winner. */
  parentRev: string | null;
  newRev: string;
  entry: string;
}

/**
 * The audited body to restore: the one `rev` names (a loser, or the parent a merge superseded), or
 * by default the only one whose content lost (a loser lww picked lives on in the result).
 */
function pick(entry: ResolutionEntry, rev: string | undefined): { rev: string; body: JsonObject } {
  const stored = [
    ...entry.losers.map((l) => ({ rev: l.rev, body: l.body, won: !!l.won })),
    ...(entry.parent_body ? [{ rev: entry.parent_rev, body: entry.parent_body, won: false }] : []),
  ];
  const revs = stored.map((x) => x.rev).join(', ');
  if (rev !== undefined) {
    const c = stored.find((x) => x.rev === rev);
    if (!c)
      throw userError('E_UNDO_REV', `resolution ${entry._id} kept no body for ${rev}`, `one of: ${revs}`);
    return c;
  }
  const lost = stored.filter((x) => !x.won);
  if (lost.length === 1) return lost[0] as { rev: string; body: JsonObject };
  throw userError(
    'E_UNDO_REV',
    `resolution ${entry._id} replaced ${lost.length} bodies: say which one to restore`,
    `pass --rev with one of: ${revs}`,
  );
}

/**
 * The undo that already restored `rev` of this resolution, if any: undoing twice writes nothing. An
 * undo recorded but whose write never happened (a crash between the audit and the PUT: the winner is
 * still the one it was to be written on) does not count; finishing it writes the same entry again.
 */
async function earlierUndo(
  audit: AuditSink,
  entry: ResolutionEntry,
  rev: string,
  currentWinner: string | undefined,
): Promise<UndoEntry | undefined> {
  const undos = (await audit.forDoc(entry.doc_id)).filter(
    (e): e is UndoEntry =>
      e.type === 'couchmesh.undo' && e.resolution === entry._id && e.restored_rev === rev,
  );
  return undos.find((u) => !(currentWinner !== undefined && u.parent_rev === currentWinner));
}

/**
 * Puts a loser of a resolution back as the winner: its body is written on top of the document's
 * current winner (so history stays linear and replicates like any edit). The body it replaces is
 * recorded in an undo entry first, so undo loses nothing either.
 */
export async function undoResolution(o: UndoOptions): Promise<UndoResult> {
  const entry = await o.audit.get(o.resolution);
  if (!entry)
    throw userError(
      'E_AUDIT_NOT_FOUND',
      `no audit entry ${o.resolution} in ${o.audit.description}`,
      "list them with 'couchmesh conflicts audit DOC'",
    );
  if (entry.type !== 'couchmesh.resolution')
    throw userError('E_UNDO_KIND', `${o.resolution} is a ${entry.type} entry, not a resolution`);
  const chosen = pick(entry, o.rev);
  const docId = entry.doc_id;
  const leaves = await new LeafReader(o.client, o.db).openRevsAll(docId);
  const winner = sortByWinner(leaves)[0];
  const live = winner && !winner.deleted ? winner : undefined;
  const done = await earlierUndo(o.audit, entry, chosen.rev, live?.rev);
  if (done)
    return {
      alreadyUndone: { at: done.recorded_at },
      docId,
      restoredRev: chosen.rev,
      parentRev: done.parent_rev || null,
      newRev: done.new_rev,
      entry: done._id,
    };
  const body = canonical(chosen.body);
  // a deleted (or purged) doc is recreated: CouchDB extends the deleted winner itself
  const parentRev = live ? live.rev : (winner?.rev ?? null);
  const attachments = live?.attachments;
  const newRev = parentRev ? predictRev(parentRev, canonicalText(body), { attachments }) : '';
  const record: UndoEntry = {
    _id: entryId('u', docId, [o.resolution, chosen.rev, parentRev]),
    type: 'couchmesh.undo',
    db: o.db,
    doc_id: docId,
    resolution: o.resolution,
    restored_rev: chosen.rev,
    parent_rev: parentRev ?? '',
    replaced_body: live?.body ?? {},
    new_rev: newRev,
    recorded_at: new Date(o.clock.now()).toISOString(),
    ...(o.recordedBy ? { recorded_by: o.recordedBy } : {}),
  };
  const refused = await o.audit.record([record]);
  if (refused.size)
    throw userError('E_AUDIT_WRITE', `the audit refused the undo entry: ${[...refused.values()].join('; ')}`);
  const doc: Record<string, unknown> = { _id: docId, ...(live ? { _rev: live.rev } : {}), ...body };
  if (attachments) doc._attachments = attachments;
  const r = await o.client.put<{ rev: string }>(docPath(o.db, docId), doc);
  return {
    docId,
    restoredRev: chosen.rev,
    parentRev: live ? live.rev : null,
    newRev: r.rev,
    entry: record._id,
  };
}
