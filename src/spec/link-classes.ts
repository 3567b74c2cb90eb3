/**
 * Link classes: named sets of CouchDB replication parameters suited to a kind of network. The
 * parameter names are the `_replicator` document fields, so the planner can copy them as they are.
 */
export const REPLICATION_PARAMS = [
  'checkpoint_interval',
  'worker_batch_size',
  'http_connections',
  'connection_timeout',
  'retries_per_request',
] as const;

export type ReplicationParam = (typeof REPLICATION_PARAMS)[number];
export type ReplicationParams = Record<ReplicationParam, number>;

/** A checkpoint_interval range that is sensible for a class; outside it validation warns. */
export interface CheckpointRange {
  min: number;
  max: number;
  /** Why this range (cited in the warning). */
  reason: string;
}

export interface BuiltinLinkClass {
  description: string;
  params: ReplicationParams;
  checkpoint_range?: CheckpointRange;
}

/** CouchDB 3.x replicator defaults (the base of a user-defined class that extends nothing). */
export const COUCHDB_DEFAULTS: ReplicationParams = {
  checkpoint_interval: 30000,
  worker_batch_size: 500,
  http_connections: 20,
  connection_timeout: 30000,
  retries_per_request: 5,
};

/** The recommended checkpoint interval for unstable links (the guidance couchmesh was built from). */
export const UNSTABLE_LINK_CHECKPOINT_RANGE: CheckpointRange = {
  min: 5000,
  max: 15000,
  reason:
    'for unstable cellular or LoRaWAN links a checkpoint_interval between 5000 and 15000 ms balances durability with bandwidth conservation',
};

export const BUILTIN_LINK_CLASSES: Readonly<Record<string, BuiltinLinkClass>> = {
  lan: {
    description: 'same site, fast and reliable: frequent checkpoints, short timeouts',
    params: {
      checkpoint_interval: 5000,
      worker_batch_size: 500,
      http_connections: 20,
      connection_timeout: 10000,
      retries_per_request: 5,
    },
  },
  wan: {
    description: 'between sites over the internet: the CouchDB defaults',
    params: { ...COUCHDB_DEFAULTS },
  },
  cellular: {
    description: 'unstable mobile link: small batches, few connections, patient timeouts',
    params: {
      checkpoint_interval: 10000,
      worker_batch_size: 100,
      http_connections: 4,
      connection_timeout: 60000,
      retries_per_request: 10,
    },
    checkpoint_range: UNSTABLE_LINK_CHECKPOINT_RANGE,
  },
  lorawan: {
    description: 'very low bandwidth radio link: tiny batches, one connection, long timeouts',
    params: {
      checkpoint_interval: 15000,
      worker_batch_size: 20,
      http_connections: 1,
      connection_timeout: 120000,
      retries_per_request: 10,
    },
    checkpoint_range: UNSTABLE_LINK_CHECKPOINT_RANGE,
  },
};

export const BUILTIN_CLASS_NAMES = Object.keys(BUILTIN_LINK_CLASSES);

/** The class of a link that names none (overridable with `defaults: { class: … }`). */
export const DEFAULT_LINK_CLASS = 'wan';
