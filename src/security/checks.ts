/**
 * Doctor's security rules: pure functions over `SecurityFacts`, one per rule, each finding with
 * its evidence and a concrete fix (SECURITY_FIX). No finding carries a secret: URLs are masked
 * (CouchDB's couch_util:url_strip_password does the same before logging a replication endpoint).
 */
import { maskUrlUserinfo } from '../core/redact.ts';
import { endpointUrl } from './checks-endpoints.ts';
import type {
  NodeSecurityFacts,
  SecurityFacts,
  SecurityFinding,
  SecurityRuleId,
  SecuritySeverity,
} from './checks-types.ts';

export const CERT_EXPIRY_DAYS = 30;
/** link classes whose traffic crosses networks couchmesh does not control */
export const UNTRUSTED_CLASSES: ReadonlySet<string> = new Set(['wan', 'cellular', 'lorawan']);

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

function finding(
  rule: SecurityRuleId,
  severity: SecuritySeverity,
  scope: Scope,
  message: string,
  evidence: SecurityFinding['evidence'],
): SecurityFinding {
  return {
    rule,
    severity,
    node: scope.node ?? null,
    link: scope.link ?? null,
    db: scope.db ?? null,
    evidence,
    message,
    fix: SECURITY_FIX[rule],
  };
}

const judged = (f: SecurityFacts): NodeSecurityFacts[] => f.nodes.filter((n) => !n.unreachable);

/** Admin party: an anonymous `/_session` has `_admin`, or an anonymous `/_all_dbs` answers 200 (CouchDB 3 default admin_only_all_dbs). */
export function adminParty(f: SecurityFacts): SecurityFinding[] {
  return judged(f).flatMap((n) => {
    const admin = n.anonymousRoles?.includes('_admin') === true;
    const allDbs = n.anonymousAllDbsStatus === 200;
    if (!admin && !allDbs) return [];
    return [
      finding(
        'admin-party',
        'critical',
        { node: n.node },
        admin
          ? `${n.node} treats anonymous requests as server admin (admin party)`
          : `${n.node} lists its databases to anonymous requests`,
        {
          anonymous_roles: (n.anonymousRoles ?? []).join(',') || null,
          anonymous_all_dbs_status: n.anonymousAllDbsStatus,
        },
      ),
    ];
  });
}

/** A mesh database whose `GET /{db}` answers 200 without credentials (empty `_security` members). */
export function publicDbs(f: SecurityFacts): SecurityFinding[] {
  return judged(f).flatMap((n) =>
    // under admin party every database is open: that finding says it once
    n.anonymousRoles?.includes('_admin')
      ? []
      : n.anonymousDbs
          .filter((d) => d.status === 200)
          .map((d) =>
            finding(
              'public-db',
              'critical',
              { node: n.node, db: d.db },
              `${d.db} on ${n.node} is readable without credentials`,
              { request: `GET /${d.db} (anonymous)`, status: d.status },
            ),
          ),
  );
}

/** Plain `http://` on a link of an untrusted class (wan, cellular, lorawan). */
export function plainHttpLinks(f: SecurityFacts): SecurityFinding[] {
  return f.links.flatMap((l) => {
    if (!UNTRUSTED_CLASSES.has(l.class)) return [];
    const plain = l.ends.filter((e) => /^http:\/\//i.test(e.url));
    if (!plain.length) return [];
    return [
      finding(
        'plain-http-link',
        'critical',
        { link: l.link },
        `link ${l.link} (class ${l.class}) uses plain http to ${plain.map((e) => e.node).join(' and ')}`,
        { class: l.class, http_urls: plain.map((e) => maskUrlUserinfo(e.url)).join(' ') },
      ),
    ];
  });
}

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
  for (const n of judged(f))
    if (tls.has(n.node) && n.verifySslCertificates?.trim().toLowerCase() === 'false')
      out.push(
        finding(
          'tls-verify-off',
          'critical',
          { node: n.node },
          `${n.node}'s replicator does not verify peer certificates`,
          { setting: '[replicator] verify_ssl_certificates', value: n.verifySslCertificates },
        ),
      );
  return out;
}

const USERINFO_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@:\s]*:[^/?#@\s]*@/i;

/** Foreign `_replicator` docs (no couchmesh marker) with `user:pass@` in a source or target URL. */
export function urlCredentials(f: SecurityFacts): SecurityFinding[] {
  return judged(f).flatMap((n) =>
    n.replicatorDocs
      .filter((d) => d.ownerMesh === null && !d.id.startsWith('_design/'))
      .flatMap((d) => {
        const fields = (['source', 'target'] as const).filter((k) =>
          USERINFO_PASSWORD.test(endpointUrl(d[k]) ?? ''),
        );
        if (!fields.length) return [];
        const ev: SecurityFinding['evidence'] = { doc_id: d.id };
        for (const k of fields) ev[k] = maskUrlUserinfo(endpointUrl(d[k]) as string);
        return [
          finding(
            'url-credentials',
            'warning',
            { node: n.node },
            `_replicator/${d.id} on ${n.node} (not managed by couchmesh) has a password in its ${fields.join(' and ')} URL`,
            ev,
          ),
        ];
      }),
  );
}

/** Certificates that expire within 30 days (or have expired). */
export function certsExpiring(f: SecurityFacts, withinDays = CERT_EXPIRY_DAYS): SecurityFinding[] {
  return f.certs
    .filter((c) => c.daysLeft < withinDays)
    .map((c) =>
      finding(
        'cert-expiring',
        c.daysLeft < 0 ? 'critical' : 'warning',
        { node: c.node === 'ca' ? null : c.node },
        c.daysLeft < 0
          ? `the certificate of ${c.node} (${c.file}) has expired`
          : `the certificate of ${c.node} (${c.file}) expires in ${c.daysLeft} day(s)`,
        { file: c.file, not_after: c.notAfter, days_left: c.daysLeft },
      ),
    );
}

/** One password for every node (a mesh of more than one node, every password resolved). */
export function sharedPassword(f: SecurityFacts): SecurityFinding[] {
  const pws = f.passwords;
  if (pws.length < 2 || pws.some((p) => !p.password)) return [];
  if (new Set(pws.map((p) => p.password)).size !== 1) return [];
  return [
    finding(
      'shared-password',
      'warning',
      {},
      `all ${pws.length} nodes of mesh ${f.mesh} use the same password`,
      { nodes: pws.map((p) => p.node).join(',') },
    ),
  ];
}

/**
 * Replication credentials with `_admin`: a dedicated replication user is a finding per node; the
 * mesh's own admin credentials (couchmesh's default without replication users) are one mesh-wide
 * warning instead.
 */
export function replicationAdmins(f: SecurityFacts): SecurityFinding[] {
  const admins = f.replicationUsers.filter((u) => u.admin);
  const out = admins
    .filter((u) => !u.meshCredentials)
    .map((u) =>
      finding(
        'replication-user-admin',
        'critical',
        { node: u.node },
        `replication user ${u.user} is server admin on ${u.node}`,
        { user: u.user, docs: u.docs.slice(0, 5).join(',') },
      ),
    );
  const mine = admins.filter((u) => u.meshCredentials);
  if (mine.length)
    out.push(
      finding(
        'one-admin-everywhere',
        'warning',
        {},
        `the replication documents use the nodes' admin credentials (${[...new Set(mine.map((u) => u.node))].join(', ')})`,
        {
          nodes: [...new Set(mine.map((u) => u.node))].join(','),
          users: [...new Set(mine.map((u) => u.user))].join(','),
        },
      ),
    );
  return out;
}

const RULES = [
  adminParty,
  publicDbs,
  plainHttpLinks,
  tlsVerifyOff,
  urlCredentials,
  certsExpiring,
  sharedPassword,
  replicationAdmins,
];

const RANK: Record<SecuritySeverity, number> = { critical: 0, warning: 1, info: 2 };

/** Every security finding of the facts, most severe first (stable within a severity). */
export function securityFindings(f: SecurityFacts): SecurityFinding[] {
  return RULES.flatMap((rule) => rule(f)).sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
