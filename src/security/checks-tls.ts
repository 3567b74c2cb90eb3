/**
 * The certificate-verification rule: couchmesh's own client, a node's replicator (`[replicator]
 * verify_ssl_certificates`, or mesh.yaml's `couch_tls.verify: false`) and a node's HTTPS listener
 * that does not check the client certificates mesh.yaml requires (`[ssl]`).
 */
import { finding, judged } from './checks-finding.ts';
import type { SecurityFacts, SecurityFinding } from './checks-types.ts';

/** The fixes of verification turned off by mesh.yaml itself, or left off on a node's HTTPS listener. */
export const DECLARED_VERIFY_OFF_FIX = (node: string) =>
  `remove verify: false from nodes.${node}.couch_tls in mesh.yaml (verification is what makes mutual TLS mean anything), give ca_file: the mesh CA's ca.pem on the node, and run couchmesh apply ([replicator] verify_ssl_certificates = true)`;
export const SERVER_VERIFY_OFF_FIX = (node: string) =>
  `${node} accepts HTTPS clients without checking their certificate: run couchmesh apply (couch_tls.server.require_client_cert sets [ssl] verify_ssl_certificates and fail_if_no_peer_cert = true, with cacert_file the mesh CA), then restart CouchDB on ${node}: it reads [ssl] when it starts`;

const isFalse = (v: string | null | undefined) => v?.trim().toLowerCase() === 'false';

/** Nodes linked to an `https://` node: the ones whose replicator speaks TLS. */
function tlsReplicating(f: SecurityFacts): Set<string> {
  const out = new Set<string>();
  for (const l of f.links)
    if (l.ends.some((e) => /^https:\/\//i.test(e.url))) for (const e of l.ends) out.add(e.node);
  return out;
}

/**
 * Certificate verification off: couchmesh's client options, or `[replicator] verify_ssl_certificates
 * = false` on a node that replicates with an https node (CouchDB 3's default.ini ships `false`; on a
 * mesh without TLS there is nothing to verify, and plain-http-link says what matters there).
 */
export function tlsVerifyOff(f: SecurityFacts): SecurityFinding[] {
  const tls = tlsReplicating(f);
  const out: SecurityFinding[] = [];
  if (f.clientVerifyOff)
    out.push(
      finding(
        'tls-verify-off',
        'critical',
        {},
        "couchmesh's own requests do not verify the nodes' certificates",
        { setting: 'tls.rejectUnauthorized = false' },
      ),
    );
  for (const n of f.nodes)
    if (n.declaredVerify === false)
      out.push(
        finding(
          'tls-verify-off',
          'critical',
          { node: n.node },
          `mesh.yaml turns certificate verification off for ${n.node}'s replicator (couch_tls.verify: false)`,
          { setting: `nodes.${n.node}.couch_tls.verify`, value: false },
          DECLARED_VERIFY_OFF_FIX(n.node),
        ),
      );
  for (const n of judged(f)) {
    // a client-certificate requirement the node does not enforce: CouchDB checks client
    // certificates only with [ssl] verify_ssl_certificates = true, and refuses a client without one
    // only with fail_if_no_peer_cert = true too ("only used if verify_ssl_certificates is true")
    if (
      n.declaredRequireClientCert &&
      n.ssl &&
      (isFalse(n.ssl.verifySslCertificates) || isFalse(n.ssl.failIfNoPeerCert))
    )
      out.push(
        finding(
          'tls-verify-off',
          'critical',
          { node: n.node },
          `${n.node} does not verify client certificates although mesh.yaml requires them (couch_tls.server.require_client_cert)`,
          {
            setting: '[ssl] verify_ssl_certificates / fail_if_no_peer_cert',
            value: `${n.ssl.verifySslCertificates ?? '(unset)'} / ${n.ssl.failIfNoPeerCert ?? '(unset)'}`,
          },
          SERVER_VERIFY_OFF_FIX(n.node),
        ),
      );
    if (n.declaredVerify !== false && tls.has(n.node) && isFalse(n.verifySslCertificates))
      out.push(
        finding(
          'tls-verify-off',
          'critical',
          { node: n.node },
          `${n.node}'s replicator does not verify peer certificates`,
          { setting: '[replicator] verify_ssl_certificates', value: n.verifySslCertificates },
        ),
      );
  }
  return out;
}
