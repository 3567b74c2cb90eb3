/**
 * Gathers what doctor's security rules (src/security/checks.ts) judge: per node, in parallel and
 * bounded, an anonymous `GET /_session`, `GET /_all_dbs` and `GET /{db}` per mesh database (at most
 * MAX_DBS), `[replicator] verify_ssl_certificates` and the `_replicator` docs (at most MAX_DOCS);
 * then one `GET /_session` per distinct replication credential of the managed docs; certificate
 * files (mesh.yaml tls, or a `--certs` folder) read against the clock.
 */
import { readFileSync } from 'node:fs';
import { CouchClient } from '../couch/client.ts';
import type { CouchResponse } from '../couch/response.ts';
import { mapLimit } from '../plan/observe.ts';
import { folderStatus } from '../security/certs.ts';
import { securityFindings } from '../security/checks.ts';
import { credentialsOf, endpointUrl, nodeOfUrl } from '../security/checks-endpoints.ts';
import type {
  CertFacts,
  NodeSecurityFacts,
  ReplicationUserFacts,
  SecurityFacts,
  SecurityFinding,
} from '../security/checks-types.ts';
import { clientTlsFor } from '../security/client-tls.ts';
import { inspectCert } from '../security/inspect.ts';
import type { NodeSpec } from '../spec/types.ts';
import { clockOf, DEFAULT_CONCURRENCY, type MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';

const MAX_DBS = 20;
const MAX_DOCS = 1000;

export interface SecurityOptions {
  /** a certificate folder (`couchmesh certs`) to check for expiry */
  certs?: string;
}

export interface SecurityScan {
  findings: SecurityFinding[];
  requests: number;
}

type Json = Record<string, unknown>;

const bodyOf = (r: CouchResponse): unknown => {
  try {
    return r.json();
  } catch {
    return undefined;
  }
};
const jsonOf = (r: CouchResponse): Json => (bodyOf(r) ?? {}) as Json;
const rolesOf = (r: CouchResponse): string[] | null => {
  const ctx = jsonOf(r).userCtx as { roles?: unknown } | undefined;
  return Array.isArray(ctx?.roles) ? ctx.roles.filter((x): x is string => typeof x === 'string') : null;
};

interface Gathered {
  facts: NodeSecurityFacts;
  /** managed docs' credentials: `node\0user\0password` -> doc ids */
  creds: Map<string, string[]>;
}

/** The security reads of the mesh and their findings (never throws for a node that fails). */
export async function scanSecurity(
  m: OpenMesh,
  opts: SecurityOptions,
  deps: MeshDeps,
): Promise<SecurityScan> {
  const now = clockOf(deps).now();
  const readFile = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let requests = 0;
  // anonymous clients: the same URL and TLS as couchmesh's, no credentials
  const anon = new Map<string, CouchClient>();
  for (const n of m.spec.nodes) {
    const tls = clientTlsFor(n, readFile, now);
    anon.set(
      n.name,
      new CouchClient({
        url: n.url,
        ...(n.members ? { members: n.members } : {}),
        retries: 0,
        timeoutMs: deps.client?.timeoutMs ?? 5_000,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(deps.client?.tls ? { tls: deps.client.tls } : {}),
        ...(tls ? { tls } : {}),
      }),
    );
  }
  const get = async (c: CouchClient | undefined, path: string, headers?: Record<string, string>) => {
    requests++;
    return (c as CouchClient).request({ path, signal: deps.signal, ...(headers ? { headers } : {}) });
  };
  try {
    const gathered = new Map<string, Gathered>();
    await mapLimit(m.spec.nodes, deps.concurrency ?? DEFAULT_CONCURRENCY, async (n) => {
      const g: Gathered = {
        facts: {
          node: n.name,
          unreachable: false,
          anonymousRoles: null,
          anonymousAllDbsStatus: null,
          anonymousDbs: [],
          verifySslCertificates: null,
          replicatorDocs: [],
          ...(n.couch_tls?.verify !== undefined ? { declaredVerify: n.couch_tls.verify } : {}),
          ...(n.couch_tls?.server?.require_client_cert !== undefined
            ? { declaredRequireClientCert: n.couch_tls.server.require_client_cert }
            : {}),
        },
        creds: new Map(),
      };
      gathered.set(n.name, g);
      const a = anon.get(n.name);
      const admin = m.clients.get(n.name);
      try {
        g.facts.anonymousRoles = rolesOf(await get(a, '/_session'));
        g.facts.anonymousAllDbsStatus = (await get(a, '/_all_dbs')).status;
        const dbs = [
          ...new Set(m.spec.links.filter((l) => l.nodes.includes(n.name)).flatMap((l) => l.databases)),
        ].slice(0, MAX_DBS);
        for (const db of dbs)
          g.facts.anonymousDbs.push({ db, status: (await get(a, `/${encodeURIComponent(db)}`)).status });
        const v = await get(admin, '/_node/_local/_config/replicator/verify_ssl_certificates');
        const value = v.ok ? bodyOf(v) : undefined;
        if (typeof value === 'string') g.facts.verifySslCertificates = value;
        if (g.facts.declaredRequireClientCert) g.facts.ssl = await sslVerify(admin, get);
        const docs = await get(admin, `/_replicator/_all_docs?include_docs=true&limit=${MAX_DOCS}`);
        const rows = docs.ok ? (jsonOf(docs).rows as Array<{ id: string; doc?: Json }> | undefined) : [];
        for (const r of rows ?? []) {
          const d = r.doc ?? {};
          const owner = (d.couchmesh as { mesh?: unknown } | undefined)?.mesh;
          g.facts.replicatorDocs.push({
            id: r.id,
            source: d.source,
            target: d.target,
            ownerMesh: typeof owner === 'string' ? owner : null,
          });
          if (owner !== m.spec.mesh) continue;
          for (const e of [d.source, d.target]) {
            const c = credentialsOf(e);
            const to = nodeOfUrl(m.spec.nodes, endpointUrl(e) ?? '');
            if (!c || !to) continue;
            const key = `${to.name}\0${c.user}\0${c.password}`;
            g.creds.set(key, [...(g.creds.get(key) ?? []), r.id]);
          }
        }
      } catch {
        // a network failure: the node is unreachable, which the health findings already report
        g.facts.unreachable = true;
      }
    });
    const users = await replicationUsers(m, gathered, anon, get, deps);
    const facts: SecurityFacts = {
      mesh: m.spec.mesh,
      nodes: m.spec.nodes.map((n) => (gathered.get(n.name) as Gathered).facts),
      links: m.spec.links.map((l) => ({
        link: l.key,
        class: l.class,
        ends: l.nodes.map((name) => ({
          node: name,
          url: m.spec.nodes.find((x) => x.name === name)?.url ?? '',
        })),
      })),
      passwords: m.spec.nodes.map((n) => ({ node: n.name, password: passwordOrNone(m, n) })),
      clientVerifyOff: deps.client?.tls?.rejectUnauthorized === false,
      certs: await certFacts(m, opts, readFile, now),
      replicationUsers: users,
    };
    return { findings: securityFindings(facts), requests };
  } finally {
    await Promise.allSettled([...anon.values()].map((c) => c.close()));
  }
}

function passwordOrNone(m: OpenMesh, n: NodeSpec): string | undefined {
  if (!n.auth) return undefined;
  try {
    return m.passwordOf(n);
  } catch {
    return undefined;
  }
}

async function replicationUsers(
  m: OpenMesh,
  gathered: Map<string, Gathered>,
  anon: Map<string, CouchClient>,
  get: (c: CouchClient | undefined, path: string, h?: Record<string, string>) => Promise<CouchResponse>,
  deps: MeshDeps,
): Promise<ReplicationUserFacts[]> {
  const all = new Map<string, string[]>();
  for (const g of gathered.values())
    for (const [k, ids] of g.creds) all.set(k, [...(all.get(k) ?? []), ...ids]);
  const out: ReplicationUserFacts[] = [];
  await mapLimit([...all], deps.concurrency ?? DEFAULT_CONCURRENCY, async ([key, docs]) => {
    const [node, user, password] = key.split('\0') as [string, string, string];
    const spec = m.spec.nodes.find((n) => n.name === node) as NodeSpec;
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    try {
      const r = await get(anon.get(node), '/_session', { authorization: `Basic ${basic}` });
      out.push({
        node,
        user,
        admin: rolesOf(r)?.includes('_admin') === true,
        meshCredentials: spec.auth?.username === user && passwordOrNone(m, spec) === password,
        docs,
      });
    } catch {
      // unreachable: reported by health
    }
  });
  return out.sort((a, b) => a.node.localeCompare(b.node) || a.user.localeCompare(b.user));
}

/** Certificate expiry: a `--certs` folder's node certificates and CA, else mesh.yaml's tls files. */
async function certFacts(
  m: OpenMesh,
  opts: SecurityOptions,
  readFile: (p: string) => string,
  now: number,
): Promise<CertFacts[]> {
  const out: CertFacts[] = [];
  if (opts.certs) {
    const nodes = m.spec.nodes.map((n) => ({ name: n.name, host: new URL(n.url).hostname }));
    const st = await folderStatus(opts.certs, nodes, now);
    if (st.ca)
      out.push({ node: 'ca', file: `${st.dir}/ca.pem`, notAfter: st.ca.notAfter, daysLeft: st.ca.daysLeft });
    for (const r of st.nodes)
      if (r.info)
        out.push({ node: r.node, file: r.file, notAfter: r.info.notAfter, daysLeft: r.info.daysLeft });
    return out;
  }
  const seen = new Set<string>();
  for (const n of m.spec.nodes)
    for (const [kind, file] of [
      ['ca', n.tls?.ca_file],
      [n.name, n.tls?.cert_file],
    ] as const) {
      if (!file || seen.has(file)) continue;
      seen.add(file);
      try {
        const info = await inspectCert(readFile(file), undefined, now);
        out.push({ node: kind, file, notAfter: info.notAfter, daysLeft: info.daysLeft });
      } catch {
        // unreadable or not a certificate: openMesh's TLS check already refuses such files
      }
    }
  return out;
}

/** `[ssl] verify_ssl_certificates` and `fail_if_no_peer_cert` on a node declared to require client certificates. */
async function sslVerify(
  admin: CouchClient | undefined,
  get: (c: CouchClient | undefined, path: string) => Promise<CouchResponse>,
): Promise<{ verifySslCertificates: string | null; failIfNoPeerCert: string | null }> {
  const read = async (key: string) => {
    const r = await get(admin, `/_node/_local/_config/ssl/${key}`);
    const v = r.ok ? bodyOf(r) : undefined;
    return typeof v === 'string' ? v : null;
  };
  return {
    verifySslCertificates: await read('verify_ssl_certificates'),
    failIfNoPeerCert: await read('fail_if_no_peer_cert'),
  };
}
