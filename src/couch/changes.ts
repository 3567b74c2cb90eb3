import type { Seq } from '../couchdb/seq.ts';
import { CouchError, CouchErrorCode, type CouchErrorContext, httpError } from './errors.ts';
import type { CouchRequester } from './requester.ts';
import type { CouchStreamResponse } from './response.ts';
import { networkError } from './transport.ts';
import { dbPath, type Query } from './url.ts';

/** CouchDB update sequences: one type, in the core (couchdb/seq.ts). */
export type { Seq };

export interface ChangeRow<D = Record<string, unknown>> {
  /** null between `seq_interval` rows. */
  seq: Seq | null;
  id: string;
  changes: Array<{ rev: string }>;
  deleted?: boolean;
  doc?: D & { _id: string; _rev: string };
}

/** The closing line of a feed: `{"last_seq": ..., "pending": N}`. */
export interface ChangesEnd {
  last_seq: Seq;
  pending?: number;
}

export interface ChangesResponse<D = Record<string, unknown>> extends ChangesEnd {
  results: Array<ChangeRow<D>>;
}

interface CommonChangesOptions {
  db: string;
  since?: Seq | 'now';
  limit?: number;
  includeDocs?: boolean;
  conflicts?: boolean;
  attachments?: boolean;
  style?: 'main_only' | 'all_docs';
  descending?: boolean;
  seqInterval?: number;
  /** `filter=_doc_ids`, sent in a POST body. */
  docIds?: string[];
  /** `filter=_selector`, sent in a POST body. */
  selector?: Record<string, unknown>;
  /** A named filter (`ddoc/name`, `_design`, `_view`); exclusive with docIds/selector. */
  filter?: string;
  /** Extra query parameters (filter parameters, `view`, ...). */
  query?: Query;
  signal?: AbortSignal;
}

export interface ChangesOptions extends CommonChangesOptions {
  feed?: 'normal' | 'longpoll';
  /** longpoll: how long the server waits for a change (ms). */
  timeout?: number;
}

export interface ChangesStreamOptions extends CommonChangesOptions {
  feed?: 'continuous';
  /** Heartbeat period in ms, or false for none. Default max(1000, timeoutMs / 3) (the replicator's rule). */
  heartbeat?: number | false;
  /** Server-side idle time after which it ends the feed (only without heartbeat). */
  timeout?: number;
}

function buildRequest(o: CommonChangesOptions, feed: string, extra: Query) {
  const filters = [o.docIds, o.selector, o.filter].filter((x) => x !== undefined).length;
  if (filters > 1)
    throw new CouchError(CouchErrorCode.OPTION, 'docIds, selector and filter are exclusive', ctxOf(o));
  const query: Query = {
    ...o.query,
    feed,
    since: o.since,
    limit: o.limit,
    include_docs: o.includeDocs,
    conflicts: o.conflicts,
    attachments: o.attachments,
    style: o.style,
    descending: o.descending,
    seq_interval: o.seqInterval,
    ...extra,
  };
  let body: Record<string, unknown> | undefined;
  if (o.docIds) {
    query.filter = '_doc_ids';
    body = { doc_ids: o.docIds };
  } else if (o.selector) {
    query.filter = '_selector';
    body = { selector: o.selector };
  } else if (o.filter) query.filter = o.filter;
  return {
    method: body ? ('POST' as const) : ('GET' as const),
    path: `${dbPath(o.db)}/_changes`,
    query,
    body,
  };
}

function ctxOf(o: CommonChangesOptions): CouchErrorContext {
  return { node: '', method: 'GET', path: `${dbPath(o.db)}/_changes` };
}

/** `_changes` with feed=normal (default) or longpoll, as one parsed response. */
export async function fetchChanges<D>(
  client: CouchRequester,
  o: ChangesOptions,
): Promise<ChangesResponse<D>> {
  const feed = o.feed ?? 'normal';
  const r = buildRequest(o, feed, { timeout: o.timeout });
  const opts = {
    signal: o.signal,
    // a longpoll answers only after a change or the server timeout (CouchDB's default: 60 s)
    timeoutMs: feed === 'longpoll' ? (o.timeout ?? 60_000) + 30_000 : undefined,
  };
  return r.body
    ? client.post<ChangesResponse<D>>(r.path, r.body, r.query, opts)
    : client.get<ChangesResponse<D>>(r.path, r.query, opts);
}

/**
 * A continuous `_changes` feed: an async iterable of rows (blank heartbeat lines skipped). Iteration
 * ends when the server ends the feed (then `last` holds its `{last_seq, pending}` line), when the
 * signal aborts, or when the loop breaks; the connection is released in every case. Network failures
 * surface as CouchError (E_COUCH_UNREACHABLE, E_COUCH_TIMEOUT); resume from `lastSeq`.
 */
export class ChangesFeed<D = Record<string, unknown>> implements AsyncIterable<ChangeRow<D>> {
  #last: ChangesEnd | undefined;
  #lastSeq: Seq | undefined;
  #started = false;

  constructor(
    private readonly open: () => Promise<CouchStreamResponse>,
    private readonly ctx: CouchErrorContext,
    private readonly signal: AbortSignal,
    private readonly hooks: FeedHooks,
  ) {}

  /** The `{last_seq, pending}` line, once the server sent it. */
  get last(): ChangesEnd | undefined {
    return this.#last;
  }

  /** The seq of the last row seen (or `last.last_seq`): where to resume. */
  get lastSeq(): Seq | undefined {
    return this.#lastSeq;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChangeRow<D>> {
    if (this.#started)
      throw new CouchError(CouchErrorCode.OPTION, 'a changes feed can be iterated once', this.ctx);
    this.#started = true;
    return this.#rows();
  }

  async *#rows(): AsyncGenerator<ChangeRow<D>> {
    let res: CouchStreamResponse | undefined;
    this.hooks.start();
    try {
      res = await this.open();
      if (res.status !== 200)
        throw httpError(this.ctx, res.status, await readText(res)).withAttempts(res.attempts);
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of res.body) {
        pending += decoder.decode(chunk as Buffer, { stream: true });
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
          const row = line ? this.#parse(line) : undefined;
          if (row) yield row;
        }
      }
      const tail = pending.trim() ? this.#parse(pending.trim()) : undefined;
      if (tail) yield tail;
    } catch (e) {
      if (this.signal.aborted) return;
      throw e instanceof CouchError ? e : networkError(e, this.ctx, undefined, false);
    } finally {
      res?.body.destroy();
      this.hooks.done();
    }
  }

  /** A change row, or undefined for the closing `{last_seq, pending}` line (recorded in `last`). */
  #parse(line: string): ChangeRow<D> | undefined {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new CouchError(CouchErrorCode.PROTOCOL, `${this.ctx.node}${this.ctx.path}: bad feed line`, {
        ...this.ctx,
        cause: e,
      });
    }
    if ('last_seq' in v && !('id' in v)) {
      this.#last = v as unknown as ChangesEnd;
      this.#lastSeq = this.#last.last_seq;
      return undefined;
    }
    const row = v as unknown as ChangeRow<D>;
    if (row.seq !== null && row.seq !== undefined) this.#lastSeq = row.seq;
    return row;
  }
}

async function readText(res: CouchStreamResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Lets the client track feeds being iterated, so `close()` can end them. */
export interface FeedHooks {
  start(): void;
  done(): void;
}

export function openChangesFeed<D>(
  client: CouchRequester,
  o: ChangesStreamOptions & { signal: AbortSignal },
  clientTimeoutMs: number,
  hooks: FeedHooks,
): ChangesFeed<D> {
  const heartbeat = o.heartbeat === undefined ? Math.max(1000, Math.floor(clientTimeoutMs / 3)) : o.heartbeat;
  const r = buildRequest(o, 'continuous', {
    heartbeat: heartbeat === false ? undefined : heartbeat,
    timeout: heartbeat === false ? o.timeout : undefined,
  });
  // the body idles between changes: heartbeats bound the idle time; without them only a server timeout does
  const bodyTimeoutMs =
    heartbeat === false
      ? o.timeout === undefined
        ? 0
        : o.timeout + clientTimeoutMs
      : Math.max(clientTimeoutMs, heartbeat * 2);
  const ctx = { ...ctxOf(o), node: client.url, method: r.method };
  const open = () =>
    client.request({ ...r, stream: true, signal: o.signal, bodyTimeoutMs, idempotent: true });
  return new ChangesFeed<D>(open, ctx, o.signal, hooks);
}
