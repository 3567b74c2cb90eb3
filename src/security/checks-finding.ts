/** The finding constructor and the fix of each security rule (`checks.ts`, `checks-tls.ts`). */
import type {
  NodeSecurityFacts,
  SecurityFacts,
  SecurityFinding,
  SecurityRuleId,
  SecuritySeverity,
} from './checks-types.ts';

export const SECURITY_FIX: Record<SecurityRuleId, string> = {
  'admin-party':
    'the node has no server admin (admin party: every request is _admin): create one (PUT /_node/_local/_config/admins/NAME) and set [chttpd] require_valid_user = true; then put its credentials in mesh.yaml auth',
  'public-db':
    'anyone can read this database: set its _security (members.names / members.roles, e.g. via mesh.yaml databases[].security) — CouchDB 3 lets anonymous requests in when members is empty',
  'plain-http-link':
    'this link crosses an untrusted network in clear text (credentials and documents readable on the path): serve the nodes over https (couchmesh certs init / issue, [ssl] on the node) and change their url in mesh.yaml to https://',
  'tls-verify-off':
    'certificates are not verified, so anyone on the path can impersonate a node: give the mesh CA instead (mesh.yaml nodes[].tls.ca_file, or [replicator] ssl_trusted_certificates_file on the node) and set [replicator] verify_ssl_certificates = true',
  'url-credentials':
    'a replication document not managed by couchmesh carries a password in its URL: move the credentials to auth.basic (or an Authorization header), rotate the password, and consider a replication user with only member rights',
  'cert-expiring':
    'the certificate expires soon: issue a new one (couchmesh certs issue NODE --force) and install it on the node before notAfter',
  'shared-password':
    'every node has the same password, so one stolen node opens them all: give each node its own password (password_env / password_file per node) or replication users per node',
  'replication-user-admin':
    'the replication credentials are server admin on the node: use a replication user that is a member of the mesh databases only, never _admin',
  'one-admin-everywhere':
    'replication runs with the nodes’ admin credentials, stored in plaintext in every _replicator document: create replication users (member of the mesh databases only) and use them in the replication documents',
};

type Scope = Partial<Pick<SecurityFinding, 'node' | 'link' | 'db'>>;

export function finding(
  rule: SecurityRuleId,
  severity: SecuritySeverity,
  scope: Scope,
  message: string,
  evidence: SecurityFinding['evidence'],
  fix: string = SECURITY_FIX[rule],
): SecurityFinding {
  return {
    rule,
    severity,
    node: scope.node ?? null,
    link: scope.link ?? null,
    db: scope.db ?? null,
    evidence,
    message,
    fix,
  };
}

/** The nodes that answered: the others are reported by the health findings. */
export const judged = (f: SecurityFacts): NodeSecurityFacts[] => f.nodes.filter((n) => !n.unreachable);
