/**
 * CouchDB update sequences. On 3.x clusters they are opaque strings (`"113-g1AAAA…"`); the protocol
 * only promises that a Sequence ID "MUST be incremental, but MAY NOT always be an integer"
 * (docs protocol.rst; REFERENCE A3 "Sequence caveat"). Only two things are exact here:
 *  - equality of two seqs of the same database (`seqEquals`), and
 *  - the raw text (`seqText`).
 * Anything numeric (`seqNumber`, lag, "went backwards") is a HEURISTIC: the prefix before the first
 * `-` is the sum of the shards' update seqs, which grows with every write to a given database
 * instance but is not a contract. Callers must label values derived from it as estimates.
 */

/** A seq as CouchDB prints it: a string on 3.x, a number on 1.x / PouchDB / `start_last_seq: 0`. */
export type Seq = string | number;

/**
 * The numeric prefix of a seq, as a heuristic (see the module comment): `"113-g1AA…"` -> 113,
 * `"0"` -> 0, `42` -> 42. `null` when the seq is absent or has no numeric prefix (e.g. `"now"`).
 */
export function seqNumber(seq: Seq | null | undefined): number | null {
  if (typeof seq === 'number') return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
  if (typeof seq !== 'string') return null;
  const hit = memo.get(seq);
  if (hit !== undefined) return hit;
  const m = /^(\d+)(?:-|$)/.exec(seq);
  const n = m ? Number(m[1]) : Number.NaN;
  const out = Number.isSafeInteger(n) ? n : null;
  // the health rules read the same seqs poll after poll: keep the parsed prefixes (bounded)
  if (memo.size >= 100_000) memo.clear();
  memo.set(seq, out);
  return out;
}

const memo = new Map<string, number | null>();

/** Exact comparison of two seqs (string form: `0` and `"0"` are the same seq). */
export function seqEquals(a: Seq | null | undefined, b: Seq | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return String(a) === String(b);
}

/** Seq as text for evidence and display (null stays null). */
export const seqText = (seq: Seq | null | undefined): string | null =>
  seq === null || seq === undefined ? null : String(seq);

/** `a - b` on numeric prefixes (heuristic), null when either is unknown. */
export function seqDistance(a: Seq | null | undefined, b: Seq | null | undefined): number | null {
  const x = seqNumber(a);
  const y = seqNumber(b);
  return x === null || y === null ? null : x - y;
}
