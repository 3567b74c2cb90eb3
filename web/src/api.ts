/**
 * The dashboard's way to the API: fetch with the bearer token when there is one (from the URL's
 * `#token=` fragment, which never reaches a server log, kept for this tab in sessionStorage), and
 * the event stream read with fetch, since EventSource cannot send an Authorization header.
 */

import { SseParser } from '../../src/api/sse-parse.ts';
import type { ControllerAction, ControllerEvent, ControllerSnapshot } from '../../src/controller/view.ts';

const KEY = 'couchmesh-token';

function initialToken(): string | null {
  const m = /[#&]token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

let token = initialToken();

export function setToken(t: string): void {
  token = t;
  sessionStorage.setItem(KEY, t);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    reason: string,
  ) {
    super(reason);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({ error: 'bad_response', reason: res.statusText }));
  if (!res.ok)
    throw new ApiError(res.status, body.error, body.hint ? `${body.reason} (${body.hint})` : body.reason);
  return body as T;
}

/** POSTs one operator command with the confirmation the API requires. */
export const command = (path: string) =>
  api<{ action: ControllerAction }>(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ confirm: true }),
  });

export type Connection = 'connecting' | 'live' | 'offline' | 'unauthorized';

export interface StreamHandlers {
  snapshot(s: ControllerSnapshot): void;
  event(e: ControllerEvent): void;
  connection(c: Connection): void;
}

/** Follows /api/v1/events until stopped, reconnecting after the server's `retry` delay. */
export function follow(h: StreamHandlers): () => void {
  let stopped = false;
  let abort = new AbortController();
  let retry = 3000;
  const run = async () => {
    while (!stopped) {
      abort = new AbortController();
      h.connection('connecting');
      try {
        const res = await fetch('/api/v1/events', {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          signal: abort.signal,
        });
        if (res.status === 401) {
          h.connection('unauthorized');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          for (const m of parser.feed(r.value)) {
            if (m.retry !== undefined) retry = m.retry;
            if (m.event === 'snapshot') {
              h.snapshot(JSON.parse(m.data));
              h.connection('live');
            } else h.event(JSON.parse(m.data));
          }
        }
      } catch {
        // dropped or refused: shown as offline, then retried
      }
      if (stopped) return;
      h.connection('offline');
      await new Promise((r) => setTimeout(r, retry));
    }
  };
  void run();
  return () => {
    stopped = true;
    abort.abort();
  };
}
