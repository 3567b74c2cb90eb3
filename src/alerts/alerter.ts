/**
 * Deduplicated fan-out of health transitions to sinks. The poller's diff already says what changed
 * (raised / changed / resolved); per sink the alerter also remembers what it has told that sink, so
 * a sink with `min_severity: critical` gets a finding when it escalates to critical, and a
 * `resolved` only for findings it was told about. Each sink has its own ordered queue: a slow or
 * failing webhook never delays the poll loop nor the other sinks; failures are counted and reported
 * through `onError`, never thrown.
 */
import type { Clock } from '../core/clock.ts';
import type { Random } from '../core/random.ts';
import { maskUrlUserinfo, type Redactor, redactDeep } from '../core/redact.ts';
import { type FindingDiff, findingKey } from '../health/diff.ts';
import type { Finding, Severity } from '../health/types.ts';
import { ClearHold, type ClearPolicy, type Transitions } from './hysteresis.ts';
import { LogSink } from './log.ts';
import type { AlertsConfig } from './schema.ts';
import { type AlertEvent, type AlertEventType, type AlertSink, alertEvent, atLeast } from './types.ts';
import { WebhookSink } from './webhook.ts';

export interface AlerterOptions {
  mesh: string;
  sinks: readonly AlertSink[];
  /**
   * A finding is resolved once it has been absent from this many consecutive polls (default 2): a
   * crashing job that is briefly running between two retries is not "resolved" and "raised" again.
   */
  resolveAfterPolls?: number;
  /** ... and clear for at least this long, on the poll times (default 0: polls alone decide) */
  minClearMs?: number;
  /** ... and, for a crash-looping job, for longer than its current CouchDB backoff (default false) */
  holdForBackoff?: boolean;
  /** `event` is undefined for a failed refresh (a re-send of firing alerts) */
  onError?: (sink: AlertSink, error: unknown, event: AlertEvent | undefined) => void;
  /**
   * Masks secrets in every event before any sink sees it (default: URL userinfo passwords). A
   * finding quotes scheduler reasons and node answers; an alert goes to places logs are kept.
   */
  redact?: Redactor;
}

interface SinkState {
  sink: AlertSink;
  /** key -> severity last sent */
  told: Map<string, Severity>;
  queue: Promise<void>;
  sent: number;
  failed: number;
}

export class Alerter {
  readonly mesh: string;
  readonly resolveAfterPolls: number;
  readonly #sinks: SinkState[];
  readonly #onError: AlerterOptions['onError'];
  readonly #redact: Redactor;
  /** which findings are open, and when they resolve (hysteresis.ts) */
  readonly #hold: ClearHold;

  constructor(o: AlerterOptions) {
    this.mesh = o.mesh;
    this.#hold = new ClearHold({
      afterPolls: o.resolveAfterPolls ?? 2,
      minClearMs: o.minClearMs ?? 0,
      backoff: o.holdForBackoff ?? false,
    });
    this.resolveAfterPolls = this.#hold.policy.afterPolls;
    this.#onError = o.onError;
    this.#redact = o.redact ?? maskUrlUserinfo;
    this.#sinks = o.sinks.map((sink) => ({
      sink,
      told: new Map(),
      queue: Promise.resolve(),
      sent: 0,
      failed: 0,
    }));
  }

  /** when an open alert resolves (hysteresis.ts) */
  get clearPolicy(): ClearPolicy {
    return this.#hold.policy;
  }

  get sinks(): readonly AlertSink[] {
    return this.#sinks.map((s) => s.sink);
  }

  /** Delivery counts per sink. */
  stats(): Array<{ sink: string; sent: number; failed: number }> {
    return this.#sinks.map((s) => ({ sink: s.sink.name, sent: s.sent, failed: s.failed }));
  }

  /** Queues the events of one poll (its findings diff); returns the events queued, all sinks. */
  handle(diff: FindingDiff, at: number): AlertEvent[] {
    const t = this.#hold.next(diff, at);
    const all: AlertEvent[] = [];
    for (const s of this.#sinks) {
      const events = this.#eventsFor(s, t, at).map((e) => redactDeep(e, this.#redact));
      for (const e of events) this.#enqueue(s, e);
      all.push(...events);
      // sinks whose receiver forgets silent alerts (Alertmanager's resolve_timeout) re-send what fires
      const sink = s.sink;
      if (sink.refresh) this.#run(s, () => sink.refresh?.(at) ?? Promise.resolve(), undefined);
    }
    return all;
  }

  #eventsFor(s: SinkState, t: Transitions, at: number): AlertEvent[] {
    const out: AlertEvent[] = [];
    const min = s.sink.minSeverity;
    const ev = (event: AlertEventType, f: Finding, previous?: Severity) =>
      alertEvent(event, f, this.mesh, at, previous, t.since.get(findingKey(f)));
    const raise = (f: Finding, previous?: Severity) => {
      const k = findingKey(f);
      const told = s.told.get(k);
      if (!atLeast(f.severity, min)) {
        // eased below the sink's threshold: for that sink the problem is over
        if (told) {
          out.push(ev('resolved', { ...f, severity: told }));
          s.told.delete(k);
        }
        return;
      }
      if (told === f.severity) return;
      out.push(ev(told ? 'changed' : 'raised', f, told ? (previous ?? told) : undefined));
      s.told.set(k, f.severity);
    };
    for (const f of t.raised) raise(f);
    for (const c of t.changed) raise(c.to, c.from.severity);
    // a finding this sink has not heard of yet (sink added later, or eased and risen again)
    for (const f of t.still) if (!s.told.has(findingKey(f))) raise(f);
    for (const f of t.resolved) {
      const k = findingKey(f);
      const told = s.told.get(k);
      if (!told) continue;
      out.push(ev('resolved', { ...f, severity: told }));
      s.told.delete(k);
    }
    return out;
  }

  #enqueue(s: SinkState, e: AlertEvent): void {
    this.#run(s, () => s.sink.send(e), e);
  }

  /** Runs one delivery on the sink's ordered queue; counts it when it carried an event. */
  #run(s: SinkState, deliver: () => Promise<void>, e: AlertEvent | undefined): void {
    s.queue = s.queue.then(async () => {
      try {
        await deliver();
        if (e) s.sent++;
      } catch (err) {
        s.failed++;
        try {
          this.#onError?.(s.sink, err, e);
        } catch {
          // reporting is best-effort
        }
      }
    });
  }

  /** Resolves once every queued event was delivered or given up. */
  async flush(): Promise<void> {
    await Promise.all(this.#sinks.map((s) => s.queue));
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.allSettled(this.#sinks.map((s) => s.sink.close?.()));
  }
}

/** Sinks of a config (webhook / log), each with its own or the default minimum severity. */
export function sinksFromConfig(
  c: AlertsConfig,
  seams: { clock?: Clock; random?: Random } = {},
): AlertSink[] {
  return c.sinks.map((s) =>
    s.type === 'webhook'
      ? WebhookSink.fromConfig(s, c.min_severity, seams)
      : new LogSink(s.file, s.min_severity ?? c.min_severity),
  );
}

/**
 * The alerter a config describes (its sinks, resolve hold and minimum severities): what `status
 * --watch` runs, and what the controller runs for the same `alerts` settings.
 */
export function alerterFromConfig(
  c: AlertsConfig,
  o: Omit<AlerterOptions, 'sinks' | 'resolveAfterPolls' | 'minClearMs' | 'holdForBackoff'> & {
    clock?: Clock;
    random?: Random;
  },
): Alerter {
  const { clock, random, ...rest } = o;
  return new Alerter({
    ...rest,
    sinks: sinksFromConfig(c, { ...(clock ? { clock } : {}), ...(random ? { random } : {}) }),
    resolveAfterPolls: c.resolve_after_polls,
    minClearMs: c.resolve_min_clear_ms,
    holdForBackoff: c.resolve_after_backoff,
  });
}
