/**
 * Webhook sink: one JSON POST per alert event, as couchmesh's event (`json`) or as Alertmanager's
 * `POST /api/v2/alerts` body (`alertmanager`, alertmanager.ts; firing alerts re-sent every `repeatMs`). Network errors, 408, 429 and 5xx are retried with
 * full-jitter exponential backoff on the injected clock (honouring a Retry-After up to the backoff
 * cap); any other answer is final. Nothing here ever logs the URL's query or the headers.
 */
import { request } from 'undici';
import { type Clock, systemClock } from '../core/clock.ts';
import { CouchmeshError } from '../core/errors.ts';
import type { Random } from '../core/random.ts';
import { redactor } from '../core/redact.ts';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../couch/retry.ts';
import type { Severity } from '../health/types.ts';
import { type AlertmanagerAlert, alertmanagerAlerts } from './alertmanager.ts';
import type { WebhookSinkConfig } from './schema.ts';
import type { AlertEvent, AlertSink } from './types.ts';
import { displayUrl, refuseUserinfo } from './webhook-url.ts';

export { displayUrl, refuseUserinfo };

export interface WebhookOptions {
  url: string;
  headers?: Record<string, string>;
  retries?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  minSeverity?: Severity;
  /** body shape (default `json`) */
  format?: 'json' | 'alertmanager';
  /** alertmanager: re-send firing alerts after this long without a post (default 60 s) */
  repeatMs?: number;
  /** alertmanager: `generatorURL` of every alert */
  generatorUrl?: string;
  clock?: Clock;
  random?: Random;
  /** called before each retry sleep (tests, logs) */
  onRetry?: (e: { attempt: number; delayMs: number; status?: number; error?: string }) => void;
}

const mathRandom: Random = { float: () => Math.random(), uuid: () => '' };

export class WebhookSink implements AlertSink {
  readonly name: string;
  readonly minSeverity: Severity;
  readonly format: 'json' | 'alertmanager';
  readonly #o: Required<
    Omit<WebhookOptions, 'onRetry' | 'minSeverity' | 'format' | 'repeatMs' | 'generatorUrl'>
  > &
    Pick<WebhookOptions, 'onRetry'>;
  readonly #repeatMs: number;
  readonly #generatorUrl: string | undefined;
  /** alertmanager: what fires now (key -> alert), and when the last post went out */
  readonly #firing = new Map<string, AlertmanagerAlert>();
  #lastPostAt = Number.NEGATIVE_INFINITY;

  constructor(o: WebhookOptions) {
    refuseUserinfo(o.url);
    this.name = `webhook ${displayUrl(o.url)}`;
    this.minSeverity = o.minSeverity ?? 'warning';
    this.format = o.format ?? 'json';
    this.#repeatMs = o.repeatMs ?? 60_000;
    this.#generatorUrl = o.generatorUrl;
    this.#o = {
      url: o.url,
      headers: o.headers ?? {},
      retries: o.retries ?? 4,
      timeoutMs: o.timeoutMs ?? 5000,
      backoffBaseMs: o.backoffBaseMs ?? 500,
      backoffMaxMs: o.backoffMaxMs ?? 30_000,
      clock: o.clock ?? systemClock,
      random: o.random ?? mathRandom,
      onRetry: o.onRetry,
    };
  }

  static fromConfig(c: WebhookSinkConfig, min: Severity, seams: { clock?: Clock; random?: Random } = {}) {
    return new WebhookSink({
      url: c.url,
      ...(c.headers ? { headers: c.headers } : {}),
      retries: c.retries,
      timeoutMs: c.timeout_ms,
      backoffBaseMs: c.backoff_base_ms,
      backoffMaxMs: c.backoff_max_ms,
      minSeverity: c.min_severity ?? min,
      format: c.format,
      repeatMs: c.repeat_ms,
      ...(c.generator_url ? { generatorUrl: c.generator_url } : {}),
      ...seams,
    });
  }

  async send(event: AlertEvent): Promise<void> {
    if (this.format === 'json') return this.#post(JSON.stringify(event), event);
    const alerts = alertmanagerAlerts(event, this.#generatorUrl);
    const now = alerts.at(-1) as AlertmanagerAlert;
    if (event.event === 'resolved') this.#firing.delete(event.key);
    else this.#firing.set(event.key, now);
    this.#lastPostAt = Date.parse(event.at);
    await this.#post(JSON.stringify(alerts), event);
  }

  /** alertmanager: re-posts every firing alert once `repeatMs` passed without a post. */
  async refresh(at: number): Promise<void> {
    if (this.format !== 'alertmanager' || this.#firing.size === 0) return;
    if (at - this.#lastPostAt < this.#repeatMs) return;
    this.#lastPostAt = at;
    await this.#post(JSON.stringify([...this.#firing.values()]), undefined);
  }

  async #post(body: string, event: AlertEvent | undefined): Promise<void> {
    const o = this.#o;
    const policy = {
      retries: o.retries,
      baseMs: o.backoffBaseMs,
      factor: 2,
      maxMs: o.backoffMaxMs,
      maxRetryAfterMs: o.backoffMaxMs,
    };
    let last = '';
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      let retryAfter: number | undefined;
      try {
        const res = await request(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'couchmesh-alerts', ...o.headers },
          body,
          headersTimeout: o.timeoutMs,
          bodyTimeout: o.timeoutMs,
        });
        await res.body.dump();
        status = res.statusCode;
        if (status >= 200 && status < 300) return;
        last = `HTTP ${status}`;
        if (!isRetryableStatus(status)) break;
        if (status === 429 || status === 503) {
          const h = res.headers['retry-after'];
          retryAfter = parseRetryAfter(Array.isArray(h) ? h[0] : h, o.clock.now());
        }
      } catch (e) {
        // a client error may quote what it was given: header values never reach a message
        last = redactor(Object.values(o.headers).map((value) => ({ value })))(
          (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e)),
        );
      }
      if (attempt > o.retries) break;
      const jitter = backoffDelay(attempt - 1, policy, o.random);
      const delayMs =
        retryAfter === undefined ? jitter : Math.min(Math.max(retryAfter, jitter), o.backoffMaxMs);
      o.onRetry?.({ attempt, delayMs, ...(status ? { status } : { error: last }) });
      await o.clock.sleep(delayMs);
    }
    throw new CouchmeshError('E_ALERT_WEBHOOK', `${this.name}: alert not delivered (${last})`, {
      hint: 'check that the webhook URL is reachable from here and answers 2xx',
      data: { sink: this.name, ...(event ? { key: event.key, event: event.event } : { event: 'refresh' }) },
    });
  }
}
