import type { ConflictsConfig } from '../resolve/config.ts';
import type { CanarySpec } from './canary.ts';
import type { ControllerSpec } from './controller.ts';
import type { FailoverSpec } from './failover.ts';
import type { CheckpointRange, ReplicationParams } from './link-classes.ts';
import type { SecurityObject } from './security.ts';
import type { Thresholds } from './thresholds.ts';

/**
 * The resolved, normalized mesh: what the planner consumes. Names mirror mesh.yaml (and the
 * `_replicator` fields), defaults are filled in, generators are expanded, and credentials are
 * references only (an env var name or a file path: never a password).
 */
export interface MeshSpec {
  mesh: string;
  /** Declaration order. */
  nodes: NodeSpec[];
  /** Declaration order. */
  databases: DatabaseSpec[];
  /** Every class a link may name: the built-ins (possibly overridden) and user-defined ones. */
  link_classes: Record<string, LinkClassSpec>;
  /** Unordered pairs, each once; in source order (an entry's generated links in generator order). */
  links: LinkSpec[];
  thresholds: Thresholds;
  /** Least-privilege replication users (opt-in); absent = replication docs carry the nodes' own `auth`. */
  replication_users?: ReplicationUsersSpec;
  /** `controller:` (couchmesh run): intervals, prune, remediation policies; absent = the defaults */
  controller?: ControllerSpec;
  /** `canary:` (FAILOVER): per-direction latency probes; absent = off */
  canary?: CanarySpec;
  /** `failover:` (relay routing of degraded directions, #15); absent = no routing */
  failover?: FailoverSpec;
}

/** `replication_users:` resolved: one credentials reference per owner (a node, or a link key `a--b`). */
export interface ReplicationUsersSpec {
  per: 'node' | 'link';
  /** owner -> its `couchmesh-repl-<owner>` user (every node, or every link) */
  users: Record<string, AuthRef>;
}

export type Role = 'edge' | 'relay' | 'hub';

export interface NodeSpec {
  name: string;
  /**
   * Normalized base URL: no trailing slash, no credentials, no query. The replication endpoint the
   * `_replicator` documents name: for a cluster, its declared `url` (load balancer, virtual IP), else
   * its first member's.
   */
  url: string;
  /** A CouchDB cluster's members (normalized URLs, declared order): the control plane fails over between them. */
  members?: string[];
  /**
   * A members-only cluster's relay (a node with role: relay and a `failover.relays` proxy): the
   * `_replicator` docs reach this node through that proxy (source_proxy/target_proxy), which sends
   * the first member's traffic to a live member (src/relay/members.ts).
   */
  via_relay?: string;
  region?: string;
  role: Role;
  /** false: behind NAT, peers cannot open connections to it (it must drive its own replications). */
  reachable: boolean;
  auth?: AuthRef;
  tls?: TlsRefs;
  /** TLS settings written into the node's `[replicator]` config (paths on the node, not read here) */
  couch_tls?: CouchTls;
}

/** `nodes[].couch_tls`: the node's own replicator (and HTTPS listener) TLS settings, set through `_config` by apply. */
export interface CouchTls {
  cert_file?: string;
  key_file?: string;
  ca_file?: string;
  verify?: boolean;
  /** the node's HTTPS listener: CouchDB's `[ssl]` section */
  server?: CouchTlsServer;
}

/** `nodes[].couch_tls.server`: CouchDB 3's `[ssl]` (paths on the node). */
export interface CouchTlsServer {
  cert_file?: string;
  key_file?: string;
  cacert_file?: string;
  require_client_cert?: boolean;
  port?: number;
  tls_versions?: Array<'tlsv1' | 'tlsv1.1' | 'tlsv1.2' | 'tlsv1.3'>;
}

/** Exactly one of password_env / password_file is set. Resolve with `resolveAuth` where needed. */
export interface AuthRef {
  username: string;
  password_env?: string;
  /** Resolved against the mesh file's folder. */
  password_file?: string;
}

/** File paths, resolved against the mesh file's folder. */
export interface TlsRefs {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
}

export interface DatabaseSpec {
  name: string;
  /** The declared `_security` object (absent: couchmesh never touches the database's `_security`). */
  security?: SecurityObject;
  /** How its conflicts are resolved (`couchmesh conflicts -f`, the controller); defaults filled in. */
  conflicts?: ConflictsConfig;
  /** shards (`PUT /db?q=`), on nodes with members (clusters) only; set at creation, never changed after */
  q?: number;
  /** shard copies (`PUT /db?n=`), on nodes with members only */
  n?: number;
}

export interface LinkClassSpec {
  name: string;
  builtin: boolean;
  description?: string;
  params: ReplicationParams;
  checkpoint_range?: CheckpointRange;
}

export interface LinkSpec {
  /** `a--b` with the two names sorted: the identity of the unordered pair. */
  key: string;
  /** The two nodes as written (display order); replication runs both ways. */
  nodes: readonly [string, string];
  class: string;
  /** The class's parameters with the link's overrides applied. */
  params: ReplicationParams;
  /** Database names carried by this link (all of the mesh's unless the link lists some). */
  databases: string[];
  /** Per node of the link, the base URL this link reaches it at instead of the node's `url` (explicit links only). */
  endpoints?: Readonly<Record<string, string>>;
  origin: LinkOrigin;
}

export interface LinkOrigin {
  /** Path of the `links` entry that produced the link, e.g. `links[2]`. */
  path: string;
  line: number;
  column: number;
  /** Set when the link was produced by a generator. */
  generator?: 'full-mesh' | 'ring' | 'star';
}
