/**
 * `nodes[].couch_tls` checks. The files are paths ON THE NODE: couchmesh never reads them, so only
 * the shape is checked here, with the pairs CouchDB needs: a certificate with its key, and a client
 * certificate requirement with the CAs to check it against.
 */
import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import type { CouchTls, CouchTlsServer } from './types.ts';

/** A key file without its certificate (or the reverse) is refused, as CouchDB needs both. */
export function checkCouchTls(t: CouchTls, path: PathSeg[], ctx: ResolveContext): CouchTls {
  const { sink } = ctx;
  if ((t.cert_file === undefined) !== (t.key_file === undefined))
    sink.error('E_TLS', path, 'couch_tls has only one of cert_file and key_file', {
      expected: 'both cert_file and key_file (the replicator client certificate and its key)',
      hint: 'add the missing file path (a path on the node), or remove the other',
    });
  if (t.server) checkServer(t.server, [...path, 'server'], ctx);
  return { ...t, ...(t.server ? { server: { ...t.server } } : {}) };
}

/**
 * `couch_tls.server` (CouchDB `[ssl]`): CouchDB's HTTPS listener does not start without both a
 * certificate and its key, and `fail_if_no_peer_cert` needs `cacert_file` to check client
 * certificates against (without it every client would be refused, or none checked).
 */
function checkServer(s: CouchTlsServer, path: PathSeg[], { sink }: ResolveContext): void {
  if (s.cert_file === undefined || s.key_file === undefined) {
    const missing = s.cert_file === undefined ? 'cert_file' : 'key_file';
    sink.error(
      'E_TLS_SERVER',
      [...path, missing],
      `couch_tls.server needs cert_file and key_file; ${missing} is missing`,
      {
        expected:
          "both cert_file and key_file: the node's server certificate and its private key (paths on the node)",
        hint: 'couchmesh certs issue NODE writes both; copy them to the node and name their paths here',
      },
    );
  }
  if (s.require_client_cert === true && s.cacert_file === undefined)
    sink.error('E_TLS_SERVER', [...path, 'require_client_cert'], 'require_client_cert without cacert_file', {
      expected: 'cacert_file: the CA (PEM, a path on the node) client certificates must chain to',
      hint: "add cacert_file: the mesh CA's ca.pem (couchmesh certs init), copied to the node",
    });
}
