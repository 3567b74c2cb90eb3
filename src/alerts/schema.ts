/**
 * The alerts configuration, shaped for a future `alerts:` section of mesh.yaml (today the CLI builds
 * it from `--webhook URL` / `--alert-log FILE`). Durations are milliseconds, as elsewhere in mesh.yaml.
 */
import { z } from 'zod';
import { type HeaderSources, headersFromRefs } from './header-refs.ts';
import { refuseUserinfo } from './webhook-url.ts';

const severity = z.enum(['info', 'warning', 'critical']);

export const WebhookSinkSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).meta({ description: 'receives one JSON POST per alert event' }),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'extra request headers (e.g. a token); never logged' }),
    retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(4)
      .meta({ description: 'retries after the first attempt' }),
    timeout_ms: z.number().int().min(1).default(5000),
    backoff_base_ms: z.number().int().min(1).default(500),
    backoff_max_ms: z.number().int().min(1).default(30_000),
    min_severity: severity.optional(),
    format: z.enum(['json', 'alertmanager']).default('json').meta({
      description:
        "json: couchmesh's alert event; alertmanager: Alertmanager's POST /api/v2/alerts body (point url at it)",
    }),
    repeat_ms: z.number().int().min(1000).default(60_000).meta({
      description:
        'alertmanager: firing alerts are re-sent this often (Alertmanager resolves an alert it has not heard of for resolve_timeout, 5 min by default)',
    }),
    generator_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ description: 'alertmanager: generatorURL of every alert (e.g. the dashboard)' }),
  })
  .meta({ description: 'one POST per alert event, retried with jittered exponential backoff' });

export const LogSinkSchema = z
  .strictObject({
    type: z.literal('log'),
    file: z.string().min(1).meta({ description: "NDJSON file appended to ('-' = standard output)" }),
    min_severity: severity.optional(),
  })
  .meta({ description: 'one JSON line per alert event' });

export const AlertsConfigSchema = z
  .strictObject({
    min_severity: severity.default('warning').meta({ description: 'default for every sink' }),
    resolve_after_polls: z
      .number()
      .int()
      .min(1)
      .default(2)
      .meta({ description: 'a finding is resolved once absent from this many consecutive polls' }),
    resolve_min_clear_ms: z.number().int().min(0).default(30_000).meta({
      description:
        "... and clear for at least this long (default 30 s: CouchDB's first crash backoff, so a job restarting every 30 s does not flap)",
    }),
    resolve_after_backoff: z.boolean().default(true).meta({
      description:
        '... and, for a crash-looping job, clear for longer than its current scheduler backoff (30 s x 2^(crashes-1))',
    }),
    sinks: z.array(z.discriminatedUnion('type', [WebhookSinkSchema, LogSinkSchema])).default([]),
  })
  .meta({ description: 'where health findings are sent when they are raised, change severity or clear' });

export type AlertsConfig = z.output<typeof AlertsConfigSchema>;
export type WebhookSinkConfig = z.output<typeof WebhookSinkSchema>;
export type LogSinkConfig = z.output<typeof LogSinkSchema>;

/**
 * The config the CLI flags describe. `webhookHeader` (NAME=env:VAR / NAME=file:PATH, for every
 * webhook) is resolved from `sources` now, so a missing variable fails before the first poll.
 */
export function alertsConfigFromFlags(
  flags: {
    webhook?: string[];
    webhookHeader?: string[];
    /** `json` (default) or `alertmanager`, for every webhook */
    webhookFormat?: string;
    alertLog?: string[];
    minSeverity?: string;
  },
  sources: HeaderSources = { env: {} },
): AlertsConfig {
  for (const url of flags.webhook ?? []) refuseUserinfo(url);
  const headers = flags.webhookHeader?.length ? headersFromRefs(flags.webhookHeader, sources) : undefined;
  return AlertsConfigSchema.parse({
    ...(flags.minSeverity ? { min_severity: flags.minSeverity } : {}),
    sinks: [
      ...(flags.webhook ?? []).map((url) => ({
        type: 'webhook',
        url,
        ...(headers ? { headers } : {}),
        ...(flags.webhookFormat ? { format: flags.webhookFormat } : {}),
      })),
      ...(flags.alertLog ?? []).map((file) => ({ type: 'log', file })),
    ],
  });
}
