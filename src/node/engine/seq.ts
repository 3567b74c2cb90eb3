/**
 * Update sequences shaped like CouchDB 3's opaque strings: `<n>-<token>`. Clients must treat them
 * as opaque; we read back the number. The token names the database instance, so a seq minted by a
 * deleted-and-recreated database is recognised as foreign and restarts the feed from 0 — what a
 * clustered CouchDB does when a seq names shard copies that no longer exist.
 */
import type { Seq } from '../../couchdb/seq.ts';

export class SeqCodec {
  private readonly suffix: string;

  constructor(instanceToken: string) {
    this.suffix = `-g1AAAA${instanceToken}`;
  }

  encode(n: number): string {
    return `${n}${this.suffix}`;
  }

  /** Parses `since`: 0, `now`, a bare integer, or a seq we (or another CouchDB) emitted. */
  decode(since: Seq | undefined | null, current: number): number | undefined {
    if (since === undefined || since === null || since === '' || since === 0 || since === '0') return 0;
    if (since === 'now') return current;
    if (typeof since === 'number') return Number.isInteger(since) && since >= 0 ? since : undefined;
    const m = /^(\d+)(-.*)?$/s.exec(since);
    if (!m) return undefined;
    const n = Number(m[1]);
    const rest = m[2];
    // one of our own seqs from another instance of this database: start over
    if (rest?.startsWith('-g1AAAA') && rest !== this.suffix && /^-g1AAAA[A-Za-z0-9_]{22}$/.test(rest))
      return 0;
    return n;
  }
}
