/**
 * The rehearsal's mesh.yaml, written from the user's: the same nodes (names, regions, roles,
 * reachability), databases (security, conflict strategies), link classes, links (class, databases,
 * overrides), thresholds, controller, canary and failover settings, with what belongs to the real
 * nodes replaced so a rehearsal can never reach them:
 *  - every node's `url` is its embedded node's on 127.0.0.1, `auth` the rehearsal's admin;
 *    `tls`/`couch_tls` (certificates of the real hosts) are dropped;
 *  - every link is written out explicitly (generators expanded by the spec) with `endpoints:` naming
 *    the fault proxy in front of each of its ends, so its replications, and only they, cross it;
 *  - `replication_users` (passwords of the real mesh) are dropped; `failover.relays` (forward proxies
 *    on real hosts) name the rehearsal's own relay proxies instead (none given: none);
 *  - `controller:` keeps the file's remediation policies and limits, with the rehearsal's shorter
 *    intervals (seconds, not minutes: a scenario lasts seconds) laid over it.
 */
import { parse, stringify } from 'yaml';
import type { LinkSpec, MeshSpec } from '../spec/types.ts';

export interface RehearsalAddresses {
  /** node name -> its embedded node's base URL */
  urls: ReadonlyMap<string, string>;
  /** link key -> node -> the proxy this link reaches the node through */
  endpoints: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** the environment variable holding the rehearsal's admin password */
  passwordEnv: string;
  /** controller intervals laid over the file's `controller:` block (poll, drift, deep check, conflicts) */
  controller?: Readonly<Record<string, number>>;
  /** relay node -> the rehearsal's forward proxy for it (`failover.relays`) */
  relays?: ReadonlyMap<string, string>;
}

type Raw = Record<string, unknown>;

export function rehearsalMeshText(original: string, spec: MeshSpec, a: RehearsalAddresses): string {
  const raw = (parse(original) ?? {}) as Raw;
  const out: Raw = { mesh: spec.mesh };
  out.nodes = Object.fromEntries(
    spec.nodes.map((n) => [
      n.name,
      {
        url: a.urls.get(n.name),
        auth: { username: 'admin', password_env: a.passwordEnv },
        ...(n.region ? { region: n.region } : {}),
        role: n.role,
        ...(n.reachable ? {} : { reachable: false }),
      },
    ]),
  );
  out.databases = raw.databases;
  for (const k of ['defaults', 'link_classes', 'thresholds', 'controller', 'canary'] as const)
    if (raw[k] !== undefined) out[k] = raw[k];
  if (a.controller) out.controller = { ...((raw.controller as Raw | undefined) ?? {}), ...a.controller };
  out.links = spec.links.map((l) => explicitLink(l, spec, a.endpoints.get(l.key)));
  if (raw.failover !== undefined) {
    const relays = Object.fromEntries([...(a.relays ?? [])].map(([n, proxy]) => [n, { proxy }]));
    out.failover = { ...(raw.failover as Raw), relays };
  }
  return `# couchmesh rehearse: ${spec.mesh} on embedded nodes (generated; the real nodes are never contacted)\n${stringify(out)}`;
}

function explicitLink(
  l: LinkSpec,
  spec: MeshSpec,
  endpoints: Readonly<Record<string, string>> | undefined,
): Raw {
  const cls = spec.link_classes[l.class];
  const overrides = Object.fromEntries(
    Object.entries(l.params).filter(([k, v]) => cls?.params[k as keyof typeof l.params] !== v),
  );
  const all = spec.databases.map((d) => d.name);
  const everyDb = l.databases.length === all.length && all.every((d) => l.databases.includes(d));
  return {
    between: [...l.nodes],
    class: l.class,
    ...(everyDb ? {} : { databases: l.databases }),
    ...(Object.keys(overrides).length ? { overrides } : {}),
    ...(endpoints ? { endpoints } : {}),
  };
}
