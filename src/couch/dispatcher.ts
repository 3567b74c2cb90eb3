import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { ResolvedOptions, TlsOptions } from './options.ts';

/** The code of a chain longer than `maxDepth` allows (matched by transport.ts as a TLS failure). */
export const CHAIN_TOO_DEEP = 'ERR_TLS_CERT_CHAIN_TOO_DEEP';

const selfIssued = (c: PeerCertificate) => JSON.stringify(c.subject) === JSON.stringify(c.issuer);

/**
 * The intermediate CA certificates of a verified chain: the certificates between the peer's and a
 * self-issued root (Erlang ssl's `depth` counts "non-self-issued intermediate certificates that can
 * follow the peer certificate"). Node gives the chain through `issuerCertificate`, the root pointing
 * at itself.
 */
export function intermediates(cert: PeerCertificate | DetailedPeerCertificate): number {
  const seen = new Set([cert.fingerprint256]);
  let n = 0;
  for (let c = (cert as DetailedPeerCertificate).issuerCertificate; c && !seen.has(c.fingerprint256); ) {
    seen.add(c.fingerprint256);
    if (!selfIssued(c)) n++;
    c = c.issuerCertificate;
  }
  return n;
}

/**
 * node:tls has no depth option: the limit is checked where node checks the peer's identity, after
 * the chain was verified, so a chain that is too deep fails the handshake like an untrusted one.
 */
function depthCheck(maxDepth: number) {
  return (host: string, cert: PeerCertificate): Error | undefined => {
    const err = checkServerIdentity(host, cert);
    if (err) return err;
    const n = intermediates(cert);
    if (n <= maxDepth) return undefined;
    return Object.assign(
      new Error(
        `the certificate chain has ${n} intermediate CA certificates, more than the ${maxDepth} allowed`,
      ),
      { code: CHAIN_TOO_DEEP },
    );
  };
}

function tlsConnect(tls: TlsOptions | undefined, timeoutMs: number): Record<string, unknown> {
  const c: Record<string, unknown> = { timeout: timeoutMs };
  if (!tls) return c;
  for (const k of ['ca', 'cert', 'key', 'rejectUnauthorized', 'servername'] as const)
    if (tls[k] !== undefined) c[k] = tls[k];
  if (tls.maxDepth !== undefined && tls.rejectUnauthorized !== false)
    c.checkServerIdentity = depthCheck(tls.maxDepth);
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
