/**
 * The latency each link class gets on the rehearsal's fault proxies. The proxy adds `latencyMs`
 * plus a uniform 0..`jitterMs` to every chunk, each way, in order (src/relay/fault-proxy.ts), so a
 * request/response round trip costs about twice the figure. The figures are one-way delays of the
 * networks the built-in classes are named after (src/spec/link-classes.ts), scaled down for LoRaWAN,
 * whose seconds per message would make a rehearsal last hours:
 *
 *   class      latency  jitter   (ms, per chunk, each way)
 *   lan              1       1    same site
 *   wan             20      10    across the internet
 *   cellular        60      40    mobile data: slow and uneven
 *   lorawan        150     100    radio (scaled down)
 *
 * A user-defined class is mapped through its parameters, the way its author tuned it: a batch of
 * 20 or fewer is lorawan, 100 or fewer cellular, a connection timeout of 10 s or less lan, else wan.
 * A built-in class the file overrides keeps its name's profile.
 */
import type { ReplicationParams } from '../spec/link-classes.ts';

export interface LinkProfile {
  /** the built-in class whose profile applies */
  like: 'lan' | 'wan' | 'cellular' | 'lorawan';
  latencyMs: number;
  jitterMs: number;
}

export const PROFILES: Readonly<Record<LinkProfile['like'], LinkProfile>> = {
  lan: { like: 'lan', latencyMs: 1, jitterMs: 1 },
  wan: { like: 'wan', latencyMs: 20, jitterMs: 10 },
  cellular: { like: 'cellular', latencyMs: 60, jitterMs: 40 },
  lorawan: { like: 'lorawan', latencyMs: 150, jitterMs: 100 },
};

export function linkProfile(className: string, params: ReplicationParams): LinkProfile {
  if (Object.hasOwn(PROFILES, className)) return PROFILES[className as LinkProfile['like']];
  if (params.worker_batch_size <= 20) return PROFILES.lorawan;
  if (params.worker_batch_size <= 100) return PROFILES.cellular;
  if (params.connection_timeout <= 10_000) return PROFILES.lan;
  return PROFILES.wan;
}
