import { connect, type Socket } from 'node:net';
import { type Destination, formatDestination } from './allow.ts';

/**
 * A members-only CouchDB cluster's members as one destination (#17, mesh.yaml `via_relay`). The
 * `_replicator` docs name the cluster by its FIRST member's URL and reach it through this relay
 * (`source_proxy`/`target_proxy`, left out of the replication id by couch_replicator_ids), so a
 * request for any member of the group may be served by any live member: every member of a CouchDB
 * cluster answers for every database (fabric routes to the shards), and a checkpoint `_local` doc
 * lives in the database, not on one member. The relay dials the member that last answered
 * (sticky: one member while it lives, so a job's requests do not spread), then the others in the
 * declared order, moving on only on a connect error (nothing was sent yet, so no request is
 * repeated).
 */
export class MemberGroups {
  readonly #groups: Destination[][];
  /** group index -> the member that last accepted a connection */
  readonly #sticky = new Map<number, string>();

  constructor(groups: readonly (readonly Destination[])[]) {
    this.#groups = groups.map((g) => g.map((d) => ({ host: d.host.toLowerCase(), port: d.port })));
  }

  get size(): number {
    return this.#groups.length;
  }

  #groupOf(dest: Destination): number {
    const key = formatDestination({ host: dest.host.toLowerCase(), port: dest.port });
    return this.#groups.findIndex((g) => g.some((m) => formatDestination(m) === key));
  }

  /** Whether `dest` is a member of a group (its members are then allowed destinations). */
  has(dest: Destination): boolean {
    return this.#groupOf(dest) >= 0;
  }

  /** Where to dial for `dest`, in order: the sticky member, then the group's order; `[dest]` outside groups. */
  candidates(dest: Destination): Destination[] {
    const i = this.#groupOf(dest);
    if (i < 0) return [dest];
    const g = this.#groups[i] as Destination[];
    const s = this.#sticky.get(i);
    const first = g.find((m) => formatDestination(m) === s);
    return first ? [first, ...g.filter((m) => m !== first)] : [...g];
  }

  /** `member` accepted a connection for `dest`: dial it first next time. */
  good(dest: Destination, member: Destination): void {
    const i = this.#groupOf(dest);
    if (i >= 0) this.#sticky.set(i, formatDestination(member));
  }
}

/** Connect errors after which the next member is tried: the member is down or unreachable. */
const NEXT_ON = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EHOSTDOWN']);

export interface Dialed {
  socket: Socket;
  member: Destination;
  /** members skipped on a connect error, in order */
  skipped: Destination[];
}

/**
 * Opens a TCP connection to the first candidate that accepts one. A candidate that does not answer
 * within `timeoutMs` counts as down (ETIMEDOUT). Rejects with the last error when none accepts.
 */
export async function dial(candidates: readonly Destination[], timeoutMs = 5_000): Promise<Dialed> {
  const skipped: Destination[] = [];
  let last: NodeJS.ErrnoException = Object.assign(new Error('no member to dial'), { code: 'ENOENT' });
  for (const member of candidates) {
    try {
      const socket = await open(member, timeoutMs);
      return { socket, member, skipped };
    } catch (e) {
      last = e as NodeJS.ErrnoException;
      if (!NEXT_ON.has(last.code ?? '')) throw last;
      skipped.push(member);
    }
  }
  throw last;
}

function open(d: Destination, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(d.port, d.host);
    // the OS connect timeout can be minutes; a member that does not accept within this is down
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(Object.assign(new Error(`connect ${formatDestination(d)} timed out`), { code: 'ETIMEDOUT' }));
    });
    s.once('connect', () => {
      s.setTimeout(0);
      s.off('error', reject);
      s.on('error', () => {}); // the caller's handlers report; an early error must not throw
      resolve(s);
    });
    s.once('error', reject);
  });
}
