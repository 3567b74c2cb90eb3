/**
 * The CouchDB core: CouchDB's data model as pure functions (no I/O), shared by the embedded node,
 * the resolver, the observers and the health rules. Revision trees and rev ids, the lossless JSON
 * scanner, update seqs, the replicator's resume rule, the winner order, paths and the fields the
 * replicator writes. Each file mirrors one CouchDB module and cites it.
 */
export * from './json-scan.ts';
export * from './paths.ts';
export * from './replication-log.ts';
export * from './replicator-fields.ts';
export * from './revid.ts';
export * from './seq.ts';
export * from './tree.ts';
export * from './tree-fast.ts';
export * from './tree-walk.ts';
export * from './winner.ts';
