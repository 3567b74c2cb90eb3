import type { RouteMarker } from '../failover/types.ts';
import type { SecurityObject } from '../spec/security.ts';

/**
 * The planner's vocabulary (Terraform-style): desired state, observed state, and a typed plan with
 * a closed set of actions. Everything here is plain data so plans can be saved (`--out plan.json`),
 * shown (`--json`) and applied later.
 */

/** The fields couchmesh owns in a `_replicator` document (all others are left alone). */
export interface ManagedReplication {
  source: Endpoint;
  target: Endpoint;
  continuous: boolean;
  create_target: boolean;
  checkpoint_interval: number;
  worker_batch_size: number;
  http_connections: number;
  connection_timeout: number;
  retries_per_request: number;
  /** only on the canary database's docs: the one canary this direction carries (FAILOVER) */
  doc_ids?: string[];
  /** FAILOVER proxy mode (#15): the remote side reached through a relay's forward proxy (kept out of the replication id) */
  source_proxy?: string;
  target_proxy?: string;
  couchmesh: OwnershipMarker;
}

export interface Endpoint {
  url: string;
  auth?: { basic: { username: string; password: string } };
}

/** Marks a document as ours: only documents carrying our mesh's marker are ever updated or pruned. */
export interface OwnershipMarker {
  mesh: string;
  db: string;
  from: string;
  to: string;
  link: string;
  class: string;
  /** Hash of the owned fields as couchmesh wrote them: a mismatch means someone edited the doc by hand. */
  spec: string;
  /** FAILOVER (#15): the direction is rerouted through a relay (or this doc is a store-and-forward leg) */
  route?: RouteMarker;
}

export interface DesiredDoc {
  /** node whose `_replicator` holds the document */
  node: string;
  id: string;
  body: ManagedReplication;
  /** 'pull' = on the target node, 'push' = on the source node (target unreachable from the source side) */
  mode: 'pull' | 'push';
}

export interface DesiredState {
  mesh: string;
  nodes: string[];
  /** databases that must exist on each node */
  databases: Array<{ node: string; db: string; q?: number; n?: number }>;
  docs: DesiredDoc[];
  /** declared `_security` objects (canonical), per node carrying the database; absent = none declared */
  security?: Array<{ node: string; db: string; security: SecurityObject }>;
  /** replication users each node must accept (`replication_users:`); absent = none declared */
  users?: DesiredUser[];
  /** `_config` values declared per node (`nodes[].couch_tls`); absent = none declared */
  config?: DesiredConfig[];
}

/** One `_config` value a node must hold (strings, as CouchDB's config stores them). */
export interface DesiredConfig {
  node: string;
  section: string;
  key: string;
  value: string;
}

/** A replication user on a node: `_users` doc `org.couchdb.user:<name>`, role couchmesh-replicator. */
export interface DesiredUser {
  node: string;
  name: string;
  /** `[couchmesh-replicator]` per node; `[]` per link (a member by name, of its link's databases only) */
  roles: string[];
  /** a secret: shown only as `(sensitive)` */
  password: string;
}

export interface ObservedDoc {
  id: string;
  rev: string;
  body: Record<string, unknown>;
}

export interface ObservedNode {
  node: string;
  /** the node answered HTTP (false: a network failure, a timeout, an answer that is not CouchDB's) */
  reachable: boolean;
  /**
   * reachable, but it refused couchmesh's credentials (401, or 403 on the admin reads of an
   * observation): nothing of its state was read, nothing is written there, and no doc carrying its
   * credentials is written anywhere (they were just refused)
   */
  refused?: boolean;
  /** where the refused credentials come from (`env X` or `file /path`, never a value): the fix to name */
  credentials_ref?: string;
  /** CouchError code + message when unreachable or refused (never credentials) */
  error?: { code: string; message: string };
  databases: string[];
  replicator: ObservedDoc[];
  /**
   * `GET /{db}/_security` of the databases declaring one (as the node answered); a database missing
   * on the node has no entry
   */
  security?: Record<string, Record<string, unknown>>;
  /**
   * `GET /_users/org.couchdb.user:<name>` of the replication users the node must accept, with
   * `password_ok`: the desired password matches the doc's pbkdf2 fields (checked locally); a
   * missing user has no entry; `mesh`: the mesh whose apply created it (the doc's `couchmesh.mesh`
   * marker; absent = someone else created it, and destroy never deletes it)
   */
  users?: Record<string, { rev: string; roles: string[]; password_ok: boolean; mesh?: string }>;
  /** the declared `_config` keys as the node holds them (`section/key` -> value); unset = no entry */
  config?: Record<string, string>;
  /** requests this observation cost */
  requests: number;
  /** a cluster node (mesh.yaml `members:`): the member that answered */
  member?: string;
}

/** One changed leaf of a managed document: `checkpoint_interval: 5000 -> 10000`. Secrets are `(sensitive)`. */
export interface FieldChange {
  /** dotted path, e.g. `checkpoint_interval`, `source.url`, `source.auth.basic.password` */
  path: string;
  /** observed value (undefined = absent) */
  from?: unknown;
  /** desired value (undefined = to be removed) */
  to?: unknown;
}

export type Action =
  /** `q`/`n`: a cluster's shard count and copies, passed on creation when declared (`PUT /db?q=&n=`) */
  | { kind: 'create-db'; node: string; db: string; q?: number; n?: number }
  | { kind: 'create-doc'; node: string; id: string; mode: 'pull' | 'push'; doc: ManagedReplication }
  | {
      kind: 'update-doc';
      node: string;
      id: string;
      rev: string;
      mode: 'pull' | 'push';
      doc: ManagedReplication;
      /** top-level fields that differ */
      changed: string[];
      /** leaf-level differences, for display (secrets already replaced by `(sensitive)`) */
      diff: FieldChange[];
      /** the document was edited by hand (its fields no longer match the hash we stamped) */
      drift: boolean;
      /**
       * 'credentials': only the endpoints' credentials differ (desired and observed are equal with
       * `auth` stripped) — a rotation, shown apart; 'fields': anything else
       */
      change: 'fields' | 'credentials';
      /** with change 'credentials': the nodes whose credentials the update rotates */
      rotates?: string[];
    }
  | {
      kind: 'delete-doc';
      node: string;
      id: string;
      rev: string;
      /** pruned: no longer declared (--prune); destroy; moved: declared on another node, which holds it already; unrouted: a store-and-forward leg of a route given up */
      reason: 'pruned' | 'destroy' | 'moved' | 'unrouted';
    }
  /**
   * The direction's driving node changed (pull <-> push when reachability changed): delete the doc on
   * `old_node`, then create it on `node` — in that order, the create only once the delete succeeded,
   * so the direction never runs two jobs (`_replicator` docs are per node; CouchDB would run both).
   */
  | {
      kind: 'move';
      /** the new driving node: the doc is created here */
      node: string;
      id: string;
      mode: 'pull' | 'push';
      doc: ManagedReplication;
      /** the node holding the doc today: it is deleted there first */
      old_node: string;
      /** the rev of the doc on `old_node` */
      old_rev: string;
    }
  | SetSecurityAction
  | SetUserAction
  | DeleteUserAction
  | SetConfigAction;

/**
 * Deletes a replication user this mesh created (its `_users` doc carries the mesh's marker):
 * by destroy, or once no longer desired (users-prune.ts), after the node's replication docs are
 * gone and its `_security` entries are out. A user someone else created is never deleted.
 */
export type DeleteUserAction = {
  kind: 'delete-user';
  node: string;
  name: string;
  rev: string;
  /** destroy; pruned: no longer desired (--prune); unrouted: a leg's user, its route given up */
  reason: 'destroy' | 'pruned' | 'unrouted';
};

/**
 * Sets one `_config` value (PUT /_node/_local/_config/<section>/<key>, a JSON string): only keys
 * mesh.yaml declares (`nodes[].couch_tls`: `[replicator]`, and `[ssl]` for `server`), never another. `from`: the node's value (absent: unset).
 */
export type SetConfigAction = {
  kind: 'set-config';
  node: string;
  section: string;
  key: string;
  value: string;
  from?: string;
  /** 'restart': CouchDB reads this section only when it starts (`[ssl]`): set now, used after a restart */
  takesEffect?: 'restart';
};

/**
 * Creates or updates a replication user (PUT /_users/org.couchdb.user:<name>, `type: 'user'`,
 * roles `[couchmesh-replicator]` per node, none per link, never `_admin`). `change`: create, password (a rotation: the
 * password no longer matches), roles (someone changed them).
 */
export type SetUserAction = {
  kind: 'set-user';
  node: string;
  name: string;
  /** the current rev (absent: a new user) */
  rev?: string;
  /** the mesh, stamped into the doc (`couchmesh: { mesh }`): destroy deletes only users so marked */
  mesh: string;
  /** `[couchmesh-replicator]` (per node) or `[]` (per link: a member by name) */
  roles: string[];
  password: string;
  change: 'create' | 'password' | 'roles';
};

/**
 * Sets a database's `_security` (PUT /{db}/_security, the whole object: CouchDB has no partial
 * update). Only for databases whose `_security` mesh.yaml declares; `drift`: the node's object was
 * set by someone else (not CouchDB's empty default) and is put back.
 */
export type SetSecurityAction = {
  kind: 'set-security';
  node: string;
  db: string;
  security: SecurityObject;
  /** the lists that differ, e.g. `members.roles: [] -> [readers]` */
  diff: FieldChange[];
  drift: boolean;
};

export type ActionKind = Action['kind'];

export interface Plan {
  mesh: string;
  actions: Action[];
  /** managed docs edited by hand (also listed as update-doc actions that repair them) */
  drift: Array<{ node: string; id: string; fields: string[]; diff: FieldChange[] }>;
  /** managed docs no longer wanted and kept because --prune was not given */
  orphans: Array<{ node: string; id: string }>;
  /** this mesh's replication users no longer desired, kept (with their `_security` entries) because --prune was not given */
  kept_users?: Array<{ node: string; name: string }>;
  /** nodes that could not be observed: nothing is planned for them */
  unreachable: Array<{ node: string; code: string; message: string }>;
  /**
   * nodes that answered but refused couchmesh's credentials (401/403): nothing is planned for them,
   * and every write carrying their credentials elsewhere is withheld (`errors`, `withheld: 'refused'`)
   */
  refused: Array<{ node: string; code: string; message: string; hint: string }>;
  /**
   * problems that block parts of the plan: a foreign doc holds one of our ids, or a write withheld
   * for the node `waits_for`: it is unreachable and may still drive the direction (`withheld:
   * 'unreachable'`, creates only), or it refused the credentials the doc carries (`'refused'`)
   */
  errors: Array<{
    node: string;
    id?: string;
    message: string;
    hint?: string;
    waits_for?: string;
    withheld?: 'unreachable' | 'refused';
  }>;
  /** fingerprint of the observed state: a saved plan is refused when this no longer matches */
  observed: string;
  noop: number;
  /** updates that give a direction a new replication id, so it re-scans from seq 0 (rescan.ts) */
  warnings?: RescanWarning[];
}

/** plan's warning of an update that gives a direction a new replication id (rescan.ts). */
export interface RescanWarning {
  code: 'W_PLAN_RESCAN';
  /** the node whose `_replicator` holds the document */
  node: string;
  id: string;
  db: string;
  /** the direction: its source node is the one whose database is re-read from seq 0 */
  from: string;
  to: string;
  /** the endpoint fields that change the id, with their old and new values (never a password) */
  changes: Array<{ field: string; from?: string; to?: string }>;
  /** documents in `db` on `from` when known (the cost: every one of their changes is read again) */
  docs?: number;
  message: string;
  hint: string;
}
