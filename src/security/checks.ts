/**
 * Doctor's security rules: pure functions over `SecurityFacts`, one per rule, each finding with
 * its evidence and a concrete fix (SECURITY_FIX). No finding carries a secret: URLs are masked
 * (CouchDB's couch_util:url_strip_password does the same before logging a replication endpoint).
 */
import { maskUrlUserinfo } from '../core/redact.ts';
import { endpointUrl } from './checks-endpoints.ts';
import { finding, judged } from './checks-finding.ts';
import { tlsVerifyOff } from './checks-tls.ts';
import type { SecurityFacts, SecurityFinding, SecuritySeverity } from './checks-types.ts';

export { SECURITY_FIX } from './checks-finding.ts';
export { tlsVerifyOff } from './checks-tls.ts';

export const CERT_EXPIRY_DAYS = 30;
/** link classes whose traffic crosses networks couchmesh does not control */
export const UNTRUSTED_CLASSES: ReadonlySet<string> = new Set(['wan', 'cellular', 'lorawan']);

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
