// Helpers of the verify tests: documents written with `new_edits: false` so every node holds exactly
// the revisions a test gives it (the same rev ids on every node, a conflict or a tombstone on one).
import { DB, type TelemetryMesh } from '../telemetry/helpers.ts';

export const rev = (c: string) => c.repeat(32);

/** `2-ff…` on top of `1-aa…`: the doc as every node holds it at the start */
export const BASE = { start: 2, ids: [rev('f'), rev('a')] };

export const baseDoc = (id: string) => ({ _id: id, _rev: `2-${rev('f')}`, _revisions: BASE, v: 1 });

/** A second leaf `2-00…` beside `2-ff…`: it loses (same position, lower rev id), the winner stays. */
export const losingLeaf = (id: string) => ({
  _id: id,
  _rev: `2-${rev('0')}`,
  _revisions: { start: 2, ids: [rev('0'), rev('a')] },
  v: 0,
});

/** `3-bb…`, a deletion on top of `2-ff…`: the winner is now a tombstone. */
export const tombstone = (id: string) => ({
  _id: id,
  _rev: `3-${rev('b')}`,
  _deleted: true,
  _revisions: { start: 3, ids: [rev('b'), rev('f'), rev('a')] },
});

export async function putRevs(mesh: TelemetryMesh, node: string, docs: object[], db = DB): Promise<void> {
  const r = await mesh.ok(node, 'POST', `/${db}/_bulk_docs`, { new_edits: false, docs });
  if ((r as unknown[]).length) throw new Error(`new_edits:false write refused: ${JSON.stringify(r)}`);
}

export const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
