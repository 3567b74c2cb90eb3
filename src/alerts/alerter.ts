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
import { LogSink } from './log.ts';
import type { AlertsConfig } from './schema.ts';
import { type AlertEvent, type AlertSink, alertEvent, atLeast } from './types.ts';
import { WebhookSink } from './webhook.ts';

export interface AlerterOptions {
  mesh: string;
  sinks: readonly AlertSink[];
  /**
   * A finding is resolved once it has been absent from this many consecutive polls (default 2): a
   * crashing job that is briefly running between two retries is not "resolved" and "raised" again.
   */
  resolveAfterPolls?: number;
  onError?: (sink: AlertSink, error: unknown, event: AlertEvent) => void;
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

/** What changed for the alerter this poll, after the resolve delay. */
interface Transitions {
  raised: Finding[];
  changed: Array<{ from: Finding; to: Finding }>;
  /** open before and still present, same severity */
  still: Finding[];
  resolved: Finding[];
}

export class Alerter {
  readonly mesh: string;
  readonly resolveAfterPolls: number;
  readonly #sinks: SinkState[];
  readonly #onError: AlerterOptions['onError'];
  readonly #redact: Redactor;
  /** findings the alerter considers open (key -> the latest finding) */
  readonly #open = new Map<string, Finding>();
  /** open findings absent from the latest polls: key -> consecutive polls absent */
  readonly #absent = new Map<string, number>();

  constructor(o: AlerterOptions) {
    this.mesh = o.mesh;
    this.resolveAfterPolls = Math.max(1, o.resolveAfterPolls ?? 2);
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

  get sinks(): readonly AlertSink[] {
    return this.#sinks.map((s) => s.sink);
  }

  /** Delivery counts per sink. */
  stats(): Array<{ sink: string; sent: number; failed: number }> {
    return this.#sinks.map((s) => ({ sink: s.sink.name, sent: s.sent, failed: s.failed }));
  }

  /** Queues the events of one poll (its findings diff); returns the events queued, all sinks. */
  handle(diff: FindingDiff, at: number): AlertEvent[] {
    const t = this.#transitions([...diff.raised, ...diff.unchanged, ...diff.changed.map((c) => c.to)]);
    const all: AlertEvent[] = [];
    for (const s of this.#sinks) {
      const events = this.#eventsFor(s, t, at).map((e) => redactDeep(e, this.#redact));
      for (const e of events) this.#enqueue(s, e);
      all.push(...events);
    }
    return all;
  }

  #transitions(current: readonly Finding[]): Transitions {
    const t: Transitions = { raised: [], changed: [], still: [], resolved: [] };
    const now = new Map(current.map((f) => [findingKey(f), f]));
    for (const [k, f] of now) {
      const before = this.#open.get(k);
      this.#absent.delete(k);
      if (!before) t.raised.push(f);
      else if (before.severity !== f.severity) t.changed.push({ from: before, to: f });
      else t.still.push(f);
      this.#open.set(k, f);
    }
    for (const [k, f] of this.#open) {
      if (now.has(k)) continue;
      const n = (this.#absent.get(k) ?? 0) + 1;
      if (n < this.resolveAfterPolls) {
        this.#absent.set(k, n);
        continue;
      }
      this.#absent.delete(k);
      this.#open.delete(k);
      t.resolved.push(f);
    }
    return t;
  }

  #eventsFor(s: SinkState, t: Transitions, at: number): AlertEvent[] {
    const out: AlertEvent[] = [];
    const min = s.sink.minSeverity;
    const raise = (f: Finding, previous?: Severity) => {
      const k = findingKey(f);
      const told = s.told.get(k);
      if (!atLeast(f.severity, min)) {
        // eased below the sink's threshold: for that sink the problem is over
        if (told) {
          out.push(alertEvent('resolved', { ...f, severity: told }, this.mesh, at));
          s.told.delete(k);
        }
        return;
      }
      if (told === f.severity) return;
      out.push(
        alertEvent(told ? 'changed' : 'raised', f, this.mesh, at, told ? (previous ?? told) : undefined),
      );
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
      out.push(alertEvent('resolved', { ...f, severity: told }, this.mesh, at));
      s.told.delete(k);
    }
    return out;
  }

  #enqueue(s: SinkState, e: AlertEvent): void {
    s.queue = s.queue.then(async () => {
      try {
        await s.sink.send(e);
        s.sent++;
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
