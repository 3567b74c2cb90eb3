/**
 * The data doctor's security checks judge (gathered by `src/ops/doctor-security.ts`, a few reads
 * per node) and the findings they produce. Passwords enter only as values to compare; findings
 * carry node names, doc ids and masked URLs, never a secret.
 */

export type SecurityRuleId =
  | 'admin-party'
  | 'public-db'
  | 'plain-http-link'
  | 'tls-verify-off'
  | 'url-credentials'
  | 'cert-expiring'
  | 'shared-password'
  | 'replication-user-admin'
  | 'one-admin-everywhere';

export type SecuritySeverity = 'critical' | 'warning' | 'info';

export interface SecurityFinding {
  rule: SecurityRuleId;
  severity: SecuritySeverity;
  /** the node it is about (null: the mesh as a whole, or a link) */
  node: string | null;
  /** the link key `a--b` (plain-http-link) */
  link: string | null;
  /** the database (public-db) */
  db: string | null;
  evidence: Record<string, string | number | boolean | null>;
  message: string;
  /** the concrete fix (playbook style) */
  fix: string;
}

/** A `_replicator` document as read (only the fields the checks look at). */
export interface ReplicatorDocFacts {
  id: string;
  /** `source` / `target` as written: a URL string or `{ url, auth?, headers? }` */
  source: unknown;
  target: unknown;
  /** the `couchmesh` ownership marker's mesh, when the doc carries one */
  ownerMesh: string | null;
}

/** A replication credential checked with `GET /_session` on the node it authenticates to. */
export interface ReplicationUserFacts {
  /** the node the credentials are for (the endpoint's node) */
  node: string;
  user: string;
  admin: boolean;
  /** the mesh's own node credentials (couchmesh writes them when no replication users exist) */
  meshCredentials: boolean;
  /** the managed docs that carry them */
  docs: string[];
}

export interface NodeSecurityFacts {
  node: string;
  /** the node did not answer (the health findings already report it): nothing else is judged */
  unreachable: boolean;
  /** roles `GET /_session` gives an anonymous request (null: not read) */
  anonymousRoles: string[] | null;
  /** status of an anonymous `GET /_all_dbs` (null: not read) */
  anonymousAllDbsStatus: number | null;
  /** status of an anonymous `GET /{db}` per mesh database on the node */
  anonymousDbs: Array<{ db: string; status: number }>;
  /** `[replicator] verify_ssl_certificates` (null: unset or unreadable) */
  verifySslCertificates: string | null;
  replicatorDocs: ReplicatorDocFacts[];
  /** mesh.yaml `couch_tls.verify` (absent: not declared) */
  declaredVerify?: boolean;
  /** mesh.yaml `couch_tls.server.require_client_cert` (absent: not declared) */
  declaredRequireClientCert?: boolean;
  /** `[ssl] verify_ssl_certificates` and `fail_if_no_peer_cert`, read where client certificates are required (null: unset) */
  ssl?: { verifySslCertificates: string | null; failIfNoPeerCert: string | null };
}

export interface LinkSecurityFacts {
  link: string;
  class: string;
  ends: Array<{ node: string; url: string }>;
}

export interface CertFacts {
  /** the node (or 'ca') the certificate belongs to */
  node: string;
  file: string;
  notAfter: string;
  daysLeft: number;
}

export interface SecurityFacts {
  mesh: string;
  nodes: NodeSecurityFacts[];
  links: LinkSecurityFacts[];
  /** every node's resolved password (undefined: no auth or unresolved); compared, never shown */
  passwords: Array<{ node: string; password: string | undefined }>;
  /** couchmesh's own client options turn certificate verification off (`rejectUnauthorized: false`) */
  clientVerifyOff: boolean;
  certs: CertFacts[];
  replicationUsers: ReplicationUserFacts[];
}
