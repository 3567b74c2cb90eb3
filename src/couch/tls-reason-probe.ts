/**
 * Telling "the node refused our client certificate" from a dropped connection. Under TLS 1.3 the
 * client's side of the handshake ends before the server has checked the client certificate
 * (RFC 8446 §4.4.2: the server's verdict travels after the client's Finished), so a refused
 * certificate reaches the request as a reset or a closed socket (undici: `UND_ERR_SOCKET other side
 * closed`), not as a handshake error: CouchDB's `[ssl] fail_if_no_peer_cert` and the embedded node
 * with `requireClientCert` both answer that way. After such a failure on an https node, one fresh
 * handshake with the same TLS options and a one-line request asks again: an alert (`certificate
 * required`, `unknown ca`, ...) or a close without a byte of answer is the node refusing the
 * certificate; an answer, or no connection at all, leaves the original error as it was.
 */
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { CouchError, CouchErrorCode, type CouchErrorContext } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import { tlsReason } from './tls-reason.ts';

/** The code a probe gives a server that closed the connection after the handshake, without an alert. */
export const CLIENT_CERT_REFUSED = 'ERR_TLS_CLIENT_CERT_REFUSED';
/** Failures after which the probe runs: a peer that hung up (what a refusal under TLS 1.3 looks like). */
const HUNG_UP = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const ALERT = /ALERT_/;
const PROBE_CAP_MS = 5_000;

/**
 * One handshake to `origin` with `tls`: the alert code, CLIENT_CERT_REFUSED, or undefined when the
 * server answered (or could not be reached: then the original error stands).
 */
export function probeClientCertificate(
  origin: string,
  tls: ResolvedOptions['tls'],
  timeoutMs: number,
): Promise<string | undefined> {
  const u = new URL(origin);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let handshaken = false;
    let answered = false;
    let alert: string | undefined;
    const socket = connect({
      host,
      port: Number(u.port || 443),
      ...(tls ?? {}),
      // SNI is a host name: node refuses an IP there
      ...(tls?.servername ? {} : isIP(host) ? {} : { servername: host }),
      timeout: Math.min(timeoutMs, PROBE_CAP_MS),
    });
    socket.on('secureConnect', () => {
      handshaken = true;
      socket.write(`HEAD / HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('timeout', () => socket.destroy());
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (typeof e.code === 'string' && ALERT.test(e.code)) alert = e.code;
    });
    socket.on('close', () => {
      if (alert) resolve(alert);
      else resolve(handshaken && !answered ? CLIENT_CERT_REFUSED : undefined);
    });
  });
}

const causeCode = (e: CouchError): string | undefined => {
  const c = e.cause as { code?: unknown } | undefined;
  return typeof c?.code === 'string' ? c.code : undefined;
};

/**
 * Rethrows a send failure, as an E_COUCH_TLS naming the node and the fix when the probe shows the
 * node refused our client certificate; otherwise as it was.
 */
export async function explainHangUp(
  e: unknown,
  o: Pick<ResolvedOptions, 'url' | 'tls' | 'proxy' | 'timeoutMs'>,
  ctx: CouchErrorContext,
): Promise<never> {
  if (
    !(e instanceof CouchError) ||
    e.code !== CouchErrorCode.UNREACHABLE ||
    !HUNG_UP.has(causeCode(e) ?? '') ||
    o.proxy !== undefined ||
    !o.url.origin.startsWith('https:')
  )
    throw e;
  const code = await probeClientCertificate(o.url.origin, o.tls, o.timeoutMs);
  if (code === undefined) throw e;
  throw new CouchError(
    CouchErrorCode.TLS,
    `${ctx.method} ${ctx.node}${ctx.path}: the node ${ctx.node} refused our client certificate (${code}): ${tlsReason(code) ?? ''}`,
    {
      ...ctx,
      cause: e,
      hint: "give couchmesh a client certificate from the node's CA: mesh.yaml tls.cert_file and tls.key_file (couchmesh certs issue NODE writes them from the mesh CA)",
    },
  );
}
