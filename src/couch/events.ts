/** Telemetry events of the client (`onRetry`, `onResponse`). They never carry credentials or bodies. */

export interface RetryEvent {
  node: string;
  method: string;
  path: string;
  /** The attempt that just failed (1 = the first try). */
  attempt: number;
  /** The sleep before the next attempt. */
  delayMs: number;
  /** Status of the failed attempt, when it got one (408, 429, 5xx). */
  status?: number;
  /** Error code of the failed attempt, when it got no answer (E_COUCH_UNREACHABLE, E_COUCH_TIMEOUT). */
  code?: string;
  /** The Retry-After the server sent, in ms, when it sent one. */
  retryAfterMs?: number;
}

export interface ResponseEvent {
  node: string;
  method: string;
  path: string;
  status: number;
  attempt: number;
  /** From sending the request to receiving the response headers, by the injected clock. */
  durationMs: number;
}

/** Runs a telemetry hook; a throwing hook must not break the request it observes. */
export function emit<E>(hook: ((e: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // telemetry hooks are best-effort by contract
  }
}
