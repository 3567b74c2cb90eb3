/**
 * CouchDB update sequences: the one `Seq` type, and the only operations on it that hold on every
 * server. On 3.x clusters seqs are opaque strings (`"113-g1AAAA…"`); the protocol only promises that
 * a Sequence ID "MUST be incremental, but MAY NOT always be an integer" (docs protocol.rst;
 * REFERENCE A3 "Sequence caveat"); PouchDB and CouchDB 1.x give integers. CouchDB itself only
 * ever compares seqs for equality (couch_replicator_scheduler_job: `compare_replication_logs`
 * compares session ids, then hands the recorded seq back to the source as `since`). So:
 *  - exact: equality of two seqs of the same database (`seqEquals`), the text (`seqText`), and
 *    reading one off the wire (`parseSeq`);
 *  - HEURISTIC: anything numeric (`seqNumber`, `seqDistance`: lag, "went backwards"). The prefix
 *    before the first `-` is the sum of the shards' update seqs, which grows with every write to a
 *    given database instance but is not a contract. Callers must label values derived from it as
 *    estimates, and must never decide what to read (or skip) from it.
 */

/** A seq as a server prints it: a string on 2.x/3.x, a number on 1.x / PouchDB / `start_last_seq: 0`. */
export type Seq = string | number;

/** A seq as received in JSON: a string, or a non-negative integer; null for anything else. */
export function parseSeq(v: unknown): Seq | null {
  if (typeof v === 'string') return v;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** Exact comparison of two seqs (string form: `0` and `"0"` are the same seq). */
export function seqEquals(a: Seq | null | undefined, b: Seq | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return String(a) === String(b);
}

/** Seq as text for evidence and display (null stays null). */
export const seqText = (seq: Seq | null | undefined): string | null =>
  seq === null || seq === undefined ? null : String(seq);

/**
 * The numeric prefix of a seq, as a heuristic (see the module comment): `"113-g1AA…"` -> 113,
 * `"0"` -> 0, `42` -> 42. `null` when the seq is absent or has no numeric prefix (e.g. `"now"`).
 */
export function seqNumber(seq: Seq | null | undefined): number | null {
  if (typeof seq === 'number') return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
  if (typeof seq !== 'string') return null;
  // the digits up to the first `-` (or the end), read in place: no memo, whose bound a 1,000-node
  // window of seqs overflowed on every evaluation (then each call paid a regex, a hash and an insert)
  let n = 0;
  let i = 0;
  for (; i < seq.length; i++) {
    const c = seq.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (i === 0 || (i < seq.length && seq.charCodeAt(i) !== 45)) return null;
  return Number.isSafeInteger(n) ? n : null;
}

/** `a - b` on numeric prefixes (heuristic), null when either is unknown. */
export function seqDistance(a: Seq | null | undefined, b: Seq | null | undefined): number | null {
  const x = seqNumber(a);
  const y = seqNumber(b);
  return x === null || y === null ? null : x - y;
}
