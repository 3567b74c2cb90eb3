import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { ResolvedOptions, TlsOptions } from './options.ts';

function tlsConnect(tls: TlsOptions | undefined, timeoutMs: number): Record<string, unknown> {
  const c: Record<string, unknown> = { timeout: timeoutMs };
  if (!tls) return c;
  for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const)
    if (tls[k] !== undefined) c[k] = tls[k];
  return c;
}

/**
 * One pooled keep-alive dispatcher per client: an undici `Agent`, or a `ProxyAgent` tunnelling through
 * `proxy`. TLS options go to the connector of the node's connection (`connect`, or `requestTls` behind
 * a proxy). Headers and body timeouts are set per request (streams need their own).
 */
export function createDispatcher(o: ResolvedOptions): Dispatcher {
  const common = {
    connections: o.connections,
    keepAliveTimeout: 4_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  };
  if (o.proxy)
    return new ProxyAgent({
      ...common,
      uri: o.proxy,
      proxyTunnel: o.proxyTunnel,
      connect: { timeout: o.timeoutMs },
      requestTls: tlsConnect(o.tls, o.timeoutMs),
    });
  return new Agent({ ...common, connect: tlsConnect(o.tls, o.timeoutMs) });
}
