/**
 * The `_replication_*` members of a `_replicator` document that the server writes, never the user
 * (couch_replicator_docs:update_rep_doc: state, its time and reason, the replication id, the stats).
 * They are the only top-level `_` members CouchDB keeps in a document body (couch_doc:transfer_fields),
 * so they are hashed into rev ids; and a copy of a replication doc meant to be recreated drops them.
 */
export const SERVER_WRITTEN_REPLICATION_FIELDS = [
  '_replication_state',
  '_replication_state_time',
  '_replication_state_reason',
  '_replication_id',
  '_replication_stats',
] as const;

export type ServerWrittenReplicationField = (typeof SERVER_WRITTEN_REPLICATION_FIELDS)[number];

/** The same list as a set, for membership tests on hot paths. */
export const SERVER_WRITTEN_REPLICATION_FIELD_SET: ReadonlySet<string> = new Set(
  SERVER_WRITTEN_REPLICATION_FIELDS,
);
