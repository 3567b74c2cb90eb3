import type { Query } from '../../couch/url.ts';
import type { Seq } from './checkpoint.ts';

/** One row of a `_changes` page (style=all_docs). */
export interface ChangeRow {
  seq: Seq;
  id: string;
  changes: Array<{ rev: string }>;
  deleted?: boolean;
}

/**
 * What the replication runner needs from an endpoint (source or target): JSON and raw exchanges
 * that never throw on an HTTP status (the runner maps statuses to CouchDB's crash reasons), and
 * throw `RepCrash` when the endpoint cannot be reached after the job's retries.
 */
export interface PeerResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface PeerRequest {
  query?: Query;
  headers?: Record<string, string>;
  body?: unknown;
  /** POSTs that may be retried (`_revs_diff`, `_bulk_get`, `_changes`). */
  idempotent?: boolean;
}

export interface Peer {
  /** display URL of the database, no credentials, trailing slash */
  readonly url: string;
  json<T = unknown>(method: string, path: string, req?: PeerRequest): Promise<PeerResponse<T>>;
  raw(
    method: string,
    path: string,
    req?: PeerRequest & { body?: Buffer | string },
  ): Promise<PeerResponse<Buffer>>;
  /** `GET /` of the server holding the database (its welcome: CouchDB, PouchDB Server, ...). */
  welcome(): Promise<PeerResponse<Record<string, unknown> | undefined>>;
  close(): Promise<void>;
}

/** A job crash with CouchDB's reason text (shown in `_scheduler/docs` `info.error`). */
export class RepCrash extends Error {}
