import type { Dispatcher } from 'undici';
import { type Authenticator, type AuthState, createAuthenticator } from './auth.ts';
import {
  type ChangesFeed,
  type ChangesOptions,
  type ChangesResponse,
  type ChangesStreamOptions,
  fetchChanges,
  openChangesFeed,
} from './changes.ts';
import { createDispatcher } from './dispatcher.ts';
import { CouchError, CouchErrorCode, type CouchErrorContext, httpError, optionError } from './errors.ts';
import { emit } from './events.ts';
import { type Capabilities, probeCapabilities, readServerInfo, type ServerInfo } from './info.ts';
import { Members } from './members.ts';
import { type CouchClientOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import type { CouchRequester } from './requester.ts';
import {
  type CallOptions,
  CouchResponse,
  type CouchStreamResponse,
  type HttpMethod,
  type RequestOptions,
} from './response.ts';
import { isIdempotent, isRetryableStatus, parseRetryAfter, withRetries } from './retry.ts';
import { explainHangUp } from './tls-reason-probe.ts';
import { discard, encodeBody, type Headers, header, type RawResponse, readAll, send } from './transport.ts';
import { encodeQuery, type NodeUrl, type Query } from './url.ts';

const METHODS = new Set<string>(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'COPY', 'OPTIONS']);

/** `path` may already carry a query string; `qs` is '' or starts with '?'. */
function joinQuery(path: string, qs: string): string {
  return qs && path.includes('?') ? `${path}&${qs.slice(1)}` : path + qs;
}

/** What one attempt hands back: the headers, and the whole body unless streaming. */
type Answer = RawResponse & { buffered?: Buffer; ctx: CouchErrorContext };

/**
 * A CouchDB HTTP client for one node: one pooled keep-alive undici dispatcher, auth (basic or cookie
 * session), retries with jittered backoff on the injected clock, and errors with stable codes.
 */
export class CouchClient implements CouchRequester {
  /** The node's base URL, without credentials. */
  readonly url: string;
  readonly #o: Omit<ResolvedOptions, 'auth'>;
  readonly #dispatcher: Dispatcher;
  readonly #auth: Authenticator;
  readonly #feeds = new Set<AbortController>();
  /** A cluster's members (mesh.yaml `members:`): requests fail over between them (members.ts). */
  readonly #members: Members | undefined;
  #closed = false;
  #info: Promise<ServerInfo> | undefined;
  #caps: Promise<Capabilities> | undefined;

  constructor(options: CouchClientOptions) {
    const { auth, ...rest } = resolveOptions(options);
    this.#o = rest;
    this.url = rest.url.base;
    // one undici Agent serves every member: it pools per origin
    this.#dispatcher = createDispatcher({ ...rest, auth: undefined });
    if (options.members && options.members.length > 0)
      this.#members = new Members(options.members, options.onMemberFailover);
    const sessionCtx = { node: this.url, method: 'POST', path: '/_session' };
    this.#auth = createAuthenticator(
      auth,
      (form, signal) => this.#login(form, signal),
      rest.clock,
      sessionCtx,
    );
  }

  /** How the client authenticates: 'none', 'basic' or 'cookie'. */
  get authMode(): Authenticator['mode'] {
    return this.#auth.mode;
  }

  /** The member requests go to (the last that answered), or the URL when the node has no members. */
  get member(): string {
    return this.#members ? this.#members.current.base : this.url;
  }

  /** The members' base URLs in declared order (empty when the node has none). */
  get members(): string[] {
    return this.#members ? this.#members.urls.map((m) => m.base) : [];
  }

  get closed(): boolean {
    return this.#closed;
  }

  request(options: RequestOptions & { stream: true }): Promise<CouchStreamResponse>;
  request(options: RequestOptions & { stream?: false }): Promise<CouchResponse>;
  request(options: RequestOptions): Promise<CouchResponse | CouchStreamResponse>;
  async request(options: RequestOptions): Promise<CouchResponse | CouchStreamResponse> {
    return this.#request(options, true);
  }

  async #request(o: RequestOptions, useAuth: boolean): Promise<CouchResponse | CouchStreamResponse> {
    const method = (o.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) throw optionError(`unsupported HTTP method ${JSON.stringify(o.method)}`);
    if (typeof o.path !== 'string' || !o.path.startsWith('/'))
      throw optionError(`request path must start with '/', got ${JSON.stringify(o.path)}`);
    for (const [k, v, min] of [
      ['retries', o.retries, 0],
      ['timeoutMs', o.timeoutMs, 1],
      ['bodyTimeoutMs', o.bodyTimeoutMs, 0],
    ] as const)
      if (v !== undefined && (!Number.isInteger(v) || v < min))
        throw optionError(`request ${k} must be an integer >= ${min}, got ${String(v)}`);
    const path = o.path.split('?')[0] as string;
    const ctx: CouchErrorContext = { node: this.url, method, path };
    if (this.#closed)
      throw new CouchError(CouchErrorCode.CLOSED, `${method} ${this.url}${path}: client closed`, ctx);
    const { data, contentType } = encodeBody(o.body);
    const base: Record<string, string> = { accept: 'application/json', 'user-agent': this.#o.userAgent };
    if (contentType) base['content-type'] = contentType;
    const extra = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const timeout = o.timeoutMs ?? this.#o.timeoutMs;
    const target = joinQuery(o.path, encodeQuery(o.query));
    const sendWith = async (
      m: NodeUrl,
      auth: AuthState | undefined,
      attempt: number,
    ): Promise<RawResponse> => {
      const t0 = this.#o.clock.now();
      const headers = { ...base, ...auth?.headers, ...extra };
      const at = { ...ctx, node: m.base };
      const exchange = {
        origin: m.origin,
        method,
        target: m.prefix + target,
        headers,
        body: data,
        signal: o.signal,
        headersTimeoutMs: timeout,
        bodyTimeoutMs: o.bodyTimeoutMs ?? timeout,
      };
      // a refused client certificate arrives as a hang-up under TLS 1.3: tls-reason-probe.ts tells
      const res = await send(this.#dispatcher, exchange, at, () => this.#closed).catch((e: unknown) =>
        explainHangUp(e, { ...this.#o, url: m }, at),
      );
      emit(this.#o.onResponse, { ...at, status: res.status, attempt, durationMs: this.#o.clock.now() - t0 });
      if (useAuth) this.#auth.observe(res.headers);
      return res;
    };
    let renewed = false;
    const attemptAt = async (m: NodeUrl, n: number): Promise<Answer> => {
      const state = useAuth ? await this.#auth.prepare(o.signal) : undefined;
      let res = await sendWith(m, state, n);
      if (res.status === 401 && state && !renewed && this.#auth.mode === 'cookie') {
        renewed = true; // re-login once per request
        await discard(res);
        if (await this.#auth.renew(state, o.signal))
          res = await sendWith(m, await this.#auth.prepare(o.signal), n);
      }
      const at = { ...ctx, node: m.base };
      if (o.stream) return { ...res, ctx: at };
      return { ...res, ctx: at, buffered: await readAll(res, at, o.signal) };
    };
    const idempotent = isIdempotent(method, path, o.idempotent);
    const members = this.#members;
    const attemptOnce = (n: number): Promise<Answer> =>
      members ? members.run(idempotent, (m) => attemptAt(m, n)) : attemptAt(this.#o.url, n);
    const policy = o.retries === undefined ? this.#o.policy : { ...this.#o.policy, retries: o.retries };
    const { value, attempts } = await withRetries(
      {
        ...ctx,
        policy,
        idempotent,
        clock: this.#o.clock,
        random: this.#o.random,
        signal: o.signal,
        onRetry: this.#o.onRetry,
      },
      async (n) => {
        const res = await attemptOnce(n);
        if (!isRetryableStatus(res.status)) return { value: res };
        const retryAfterMs =
          res.status === 429 || res.status === 503
            ? parseRetryAfter(res.headers['retry-after'], this.#o.clock.now())
            : undefined;
        return { value: res, retry: { status: res.status, retryAfterMs, discard: () => discard(res) } };
      },
    );
    if (value.buffered === undefined)
      return { status: value.status, headers: value.headers, body: value.body, attempts };
    return new CouchResponse(value.status, value.headers, value.buffered, attempts, value.ctx);
  }

  async #login(
    form: string,
    signal?: AbortSignal,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    const res = (await this.#request(
      {
        method: 'POST',
        path: '/_session',
        body: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal,
        idempotent: true,
      },
      false,
    )) as CouchResponse;
    return { status: res.status, headers: res.headers, text: res.text() };
  }

  /** Throws the CouchError of a non-2xx response, else returns its JSON body. */
  #json<T>(res: CouchResponse, method: string, path: string): T {
    if (res.ok) return res.json<T>();
    // the member that answered (a cluster's), else the node's URL
    const ctx = { node: res.node, method, path: path.split('?')[0] as string, attempts: res.attempts };
    const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), this.#o.clock.now());
    throw httpError(ctx, res.status, res.text(), retryAfter).withAttempts(res.attempts);
  }

  async #call<T>(
    method: HttpMethod,
    path: string,
    body: unknown,
    query?: Query,
    opts?: CallOptions,
  ): Promise<T> {
    const res = await this.request({ ...opts, method, path, query, body: body as RequestOptions['body'] });
    return this.#json<T>(res, method, path);
  }

  /** GET, parsed JSON; CouchError on non-2xx. */
  get<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<T> {
    return this.#call<T>('GET', path, undefined, query, opts);
  }

  put<T = unknown>(path: string, body?: unknown, query?: Query, opts?: CallOptions): Promise<T> {
    return this.#call<T>('PUT', path, body, query, opts);
  }

  /** POST; retried only when idempotent (see `RequestOptions.idempotent`). */
  post<T = unknown>(path: string, body?: unknown, query?: Query, opts?: CallOptions): Promise<T> {
    return this.#call<T>('POST', path, body, query, opts);
  }

  delete<T = unknown>(path: string, query?: Query, opts?: CallOptions): Promise<T> {
    return this.#call<T>('DELETE', path, undefined, query, opts);
  }

  /** HEAD: status and headers (e.g. a doc's ETag); CouchError on non-2xx. */
  async head(path: string, query?: Query, opts?: CallOptions): Promise<{ status: number; headers: Headers }> {
    const res = await this.request({ ...opts, method: 'HEAD', path, query });
    this.#json(res, 'HEAD', path);
    return { status: res.status, headers: res.headers };
  }

  /** `GET /` parsed and classified; cached (pass `refresh` to read it again). */
  serverInfo(opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ServerInfo> {
    if (opts.refresh || !this.#info) {
      this.#info = readServerInfo(this, opts.signal);
      this.#info.catch(() => {
        this.#info = undefined;
      });
    }
    return this.#info;
  }

  /** What the node supports (scheduler, cookie sessions, _bulk_get); probed once and cached. */
  capabilities(opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<Capabilities> {
    if (opts.refresh || !this.#caps) {
      this.#caps = probeCapabilities(this, this.serverInfo(opts), opts.signal);
      this.#caps.catch(() => {
        this.#caps = undefined;
      });
    }
    return this.#caps;
  }

  /** `_changes` as one response (feed=normal, or longpoll). */
  changes<D = Record<string, unknown>>(options: ChangesOptions): Promise<ChangesResponse<D>> {
    return fetchChanges<D>(this, options);
  }

  /** A continuous `_changes` feed as an async iterator of rows; stops when `signal` aborts or on `close()`. */
  changesStream<D = Record<string, unknown>>(options: ChangesStreamOptions): ChangesFeed<D> {
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    return openChangesFeed<D>(this, { ...options, signal }, this.#o.timeoutMs, {
      start: () => this.#feeds.add(stop),
      done: () => this.#feeds.delete(stop),
    });
  }

  /** Ends open feeds, then closes the pool once in-flight requests finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const f of this.#feeds)
      f.abort(
        new CouchError(CouchErrorCode.CLOSED, 'client closed', { node: this.url, method: '', path: '' }),
      );
    this.#feeds.clear();
    await this.#dispatcher.close();
  }

  /** Never prints credentials: only the URL and auth mode. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CouchClient { url: '${this.url}', auth: '${this.#auth.mode}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { url: this.url, auth: this.#auth.mode };
  }
}
