/**
 * A node's bucket digests for one database: a fixed number of buckets (so memory does not grow
 * with the number of documents), each the XOR of its documents' 64-bit digests (digest.ts) plus a count.
 * XOR is order-independent, so the digest of a bucket does not depend on the order of `_changes`
 * (which differs between nodes: each node's seq order is the order it received the writes).
 */
import { bucketOf, type DocLeaves, docHashInto } from './digest.ts';

const scratch = new Uint32Array(2);
/** 32-bit lanes of a digest */
const L = 2;

/** The default number of buckets: ~25 documents a bucket at 100,000 documents. */
export const DEFAULT_BUCKETS = 4096;

export class BucketDigests {
  readonly buckets: number;
  /** 2 × 32-bit XOR lanes per bucket */
  readonly lanes: Uint32Array;
  /** rows added per bucket */
  readonly counts: Uint32Array;
  total = 0;

  constructor(buckets: number = DEFAULT_BUCKETS) {
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be >= 1: ${buckets}`);
    this.buckets = buckets;
    this.lanes = new Uint32Array(buckets * L);
    this.counts = new Uint32Array(buckets);
  }

  add(d: DocLeaves): void {
    const b = bucketOf(d.id, this.buckets);
    docHashInto(d, scratch);
    const o = b * L;
    const l = this.lanes;
    for (let i = 0; i < L; i++) l[o + i] = (l[o + i] as number) ^ (scratch[i] as number);
    this.counts[b] = (this.counts[b] as number) + 1;
    this.total++;
  }

  /** Same count and same digest in bucket `b`. */
  sameBucket(other: BucketDigests, b: number): boolean {
    if (this.counts[b] !== other.counts[b]) return false;
    const o = b * L;
    for (let i = o; i < o + L; i++) if (this.lanes[i] !== other.lanes[i]) return false;
    return true;
  }
}

/** The buckets whose digests differ between two nodes, ascending. */
export function differingBuckets(a: BucketDigests, b: BucketDigests): number[] {
  if (a.buckets !== b.buckets) throw new RangeError('bucket digests of different sizes');
  const out: number[] = [];
  for (let i = 0; i < a.buckets; i++) if (!a.sameBucket(b, i)) out.push(i);
  return out;
}

/**
 * Splits buckets into rounds whose documents (summed over the nodes that re-read them, from pass
 * 1's counts) stay within `maxHeld`: pass 2 holds one round at a time, so its memory is bounded by
 * `maxHeld` (or one bucket, when a single bucket is larger) whatever the divergence.
 */
export function planRounds(
  buckets: readonly number[],
  sizeOf: (b: number) => number,
  maxHeld: number,
): number[][] {
  const rounds: number[][] = [];
  let cur: number[] = [];
  let held = 0;
  for (const b of buckets) {
    const n = sizeOf(b);
    if (cur.length && held + n > maxHeld) {
      rounds.push(cur);
      cur = [];
      held = 0;
    }
    cur.push(b);
    held += n;
  }
  if (cur.length) rounds.push(cur);
  return rounds;
}
