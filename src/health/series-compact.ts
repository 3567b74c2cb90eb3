/**
 * A series point made to share what it has in common with the point before: every poll parses
 * fresh strings (replication ids, seqs — CouchDB 3's are ~100-character opaque strings —, crash
 * reasons, the direction's name), and a direction's values mostly repeat from poll to poll. Kept
 * side by side for the whole window they would be most of the series' memory; pointing at the
 * previous point's copy keeps one. The values are unchanged (`===` holds on strings by content):
 * only which copy is held changes.
 */
import type { DirectionState } from '../observe/snapshot.ts';

type Crashes = DirectionState['crashes'];

/** Shared by every point without crashes (most of them). */
const NO_CRASHES: Crashes = Object.freeze([]) as unknown as Crashes;

const SHARED = [
  'direction',
  'docNode',
  'repId',
  'reason',
  'checkpointedSeq',
  'throughSeq',
  'sourceSeq',
  'sourceInstance',
  'clusterNode',
] as const satisfies ReadonlyArray<keyof DirectionState>;

/** `st`, changed in place to hold `prev`'s copies of the values equal to its own. */
export function compactPoint(st: DirectionState, prev: DirectionState | undefined): DirectionState {
  const w = st as unknown as Record<string, unknown>;
  if (prev) {
    const p = prev as unknown as Record<string, unknown>;
    for (const k of SHARED) if (w[k] !== undefined && w[k] === p[k]) w[k] = p[k];
  }
  st.crashes =
    st.crashes.length === 0
      ? NO_CRASHES
      : prev && sameCrashes(st.crashes, prev.crashes)
        ? prev.crashes
        : st.crashes;
  return st;
}

function sameCrashes(a: Crashes, b: Crashes): boolean {
  return a.length === b.length && a.every((c, i) => c.at === b[i]?.at && c.reason === b[i]?.reason);
}
