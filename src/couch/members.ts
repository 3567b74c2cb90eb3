import { CouchError, CouchErrorCode } from './errors.ts';
import { emit } from './events.ts';
import { type NodeUrl, parseNodeUrl } from './url.ts';

/**
 * The members of a node that is a CouchDB cluster (mesh.yaml `members:`). Every member serves the
 * whole cluster (CouchDB 3's chttpd routes any request to the shards' owners), so the control plane
 * may send any request to any member: it keeps to the last member that answered (sticky) and moves to
 * the next one, in declared order, only when a member cannot be talked to at all.
 */
export class Members {
  readonly urls: readonly NodeUrl[];
  #current = 0;

  constructor(
    urls: readonly string[],
    private readonly onFailover?: (e: MemberFailoverEvent) => void,
  ) {
    this.urls = urls.map((u) => parseNodeUrl(u));
  }

  /** The member requests go to first: the last one that answered (the first declared until then). */
  get current(): NodeUrl {
    return this.urls[this.#current] as NodeUrl;
  }

  /**
   * Runs `attempt` on the sticky member, then on each other member in declared order while the
   * failure is one `failsOver` accepts; the first member that answers becomes the sticky one. When
   * every member failed, the last failure is thrown with the members tried named in its message.
   */
  async run<T>(idempotent: boolean, attempt: (m: NodeUrl) => Promise<T>): Promise<T> {
    const n = this.urls.length;
    const start = this.#current;
    const failed: string[] = [];
    for (let i = 0; ; i++) {
      const idx = (start + i) % n;
      const m = this.urls[idx] as NodeUrl;
      try {
        const value = await attempt(m);
        this.#current = idx;
        return value;
      } catch (e) {
        if (!(e instanceof CouchError) || !failsOver(e, idempotent)) throw e;
        failed.push(`${m.base} (${causeCode(e) ?? e.code})`);
        if (i === n - 1) throw everyMemberFailed(e, failed);
        const next = this.urls[(idx + 1) % n] as NodeUrl;
        emit(this.onFailover, { from: m.base, to: next.base, method: e.method, path: e.path, code: e.code });
      }
    }
  }
}

/** One move from a member that could not be talked to, to the next (telemetry; no secrets). */
export interface MemberFailoverEvent {
  from: string;
  to: string;
  method: string;
  path: string;
  /** E_COUCH_UNREACHABLE or E_COUCH_TIMEOUT */
  code: string;
}

/**
 * Failures before the request reached the member: it cannot have acted on it, so any request may go
 * to another member (a refused or unroutable connection, a connect timeout, an unknown host).
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function causeCode(e: CouchError): string | undefined {
  const c = e.cause as { code?: unknown; errors?: Array<{ code?: unknown }> } | undefined;
  if (typeof c?.code === 'string') return c.code;
  const first = c?.errors?.[0]?.code;
  return typeof first === 'string' ? first : undefined;
}

/**
 * Only a network failure moves to another member, never an HTTP answer (a 404 or a 500 is the
 * cluster's answer, which another member would give too). A request that may not be resent (a
 * `_bulk_docs` POST) moves only when it cannot have been received; a reset or a timeout after sending
 * may have been acted on, so it is the caller's to judge, as for retries.
 */
export function failsOver(e: CouchError, idempotent: boolean): boolean {
  if (e.code !== CouchErrorCode.UNREACHABLE && e.code !== CouchErrorCode.TIMEOUT) return false;
  return idempotent || NOT_SENT.has(causeCode(e) ?? '');
}

function everyMemberFailed(last: CouchError, failed: string[]): CouchError {
  return new CouchError(
    last.code,
    `${last.method} ${last.path}: no member of the cluster answered: ${failed.join(', ')}`,
    {
      node: last.node,
      method: last.method,
      path: last.path,
      cause: last,
      hint: "check that the cluster's members are running and that mesh.yaml `members:` lists their URLs",
    },
  );
}
