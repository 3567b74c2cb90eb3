/**
 * What a TLS failure code means for the operator, and its fix: OpenSSL's verify codes (the node's
 * certificate, as checked by this client) and the alerts a server sends when it refuses ours (as a
 * CouchDB `[ssl] verify_ssl_certificates` node or the embedded node with `requireClientCert` does).
 */
const REASONS: Array<[RegExp, string]> = [
  [
    /^CERT_HAS_EXPIRED$/,
    "the node's certificate has expired: issue it again (couchmesh certs issue NODE --force)",
  ],
  [/^CERT_NOT_YET_VALID$/, "the node's certificate is not valid yet: check the clocks"],
  [
    /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?)$/,
    "the node's certificate is not signed by a CA this client trusts: set tls.ca_file to the mesh CA, or issue the node's certificate from it",
  ],
  [
    /^ERR_TLS_CERT_CHAIN_TOO_DEEP$/,
    "the node's certificate chain has more intermediate CA certificates than allowed ([replicator] ssl_certificate_max_depth, 3 by default): raise it, or issue the node's certificate closer to the CA",
  ],
  [
    /^ERR_TLS_CERT_ALTNAME_INVALID$/,
    "the node's certificate does not name the host of its URL: issue it for that host",
  ],
  // the node refusing OUR certificate (alerts; under TLS 1.3 after the handshake, see tls-reason-probe.ts)
  [
    /ALERT_CERTIFICATE_REQUIRED$/,
    'the node requires a client certificate and got none: present one issued from the mesh CA (couchmesh certs issue NODE)',
  ],
  [
    /ALERT_CERTIFICATE_EXPIRED$/,
    'the node refused our client certificate as expired: issue it again (couchmesh certs issue NODE --force)',
  ],
  [
    /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|DECRYPT_ERROR|HANDSHAKE_FAILURE)$/,
    "the node does not trust our client certificate: present one issued from the node's CA, the mesh CA (couchmesh certs issue NODE)",
  ],
  [
    /^ERR_TLS_CLIENT_CERT_REFUSED$/,
    'the node closed the connection after the handshake: it refused our client certificate (none sent, or not from a CA it trusts); present one issued from the mesh CA (couchmesh certs issue NODE)',
  ],
];

/** The reason and fix of a TLS failure code, or undefined for a code without a known meaning. */
export function tlsReason(code: string): string | undefined {
  return REASONS.find(([re]) => re.test(code))?.[1];
}
