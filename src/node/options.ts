import type { Clock } from '../core/clock.ts';
import type { LogLevel } from './log.ts';

/** Options of an embedded couchmesh node (`couchmesh node`, `startNode()`). Validated once at the boundary. */
export interface NodeOptions {
  /** TCP port; 0 picks a free one. Default 5984. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Folder holding one SQLite file per database. Required unless `inMemory`. */
  dataDir?: string;
  /** Keep everything in memory (tests, demos). */
  inMemory?: boolean;
  /** Server admins: name -> password (kept in memory only; `_config/admins` shows hashes). With none, the node
   *  is in "admin party" (everyone is admin): for tests and benchmarks only, `couchmesh node` refuses it as CouchDB 3 does. */
  admins?: Record<string, string>;
  /** Extra users (name -> {password, roles}) besides those in the `_users` database. */
  users?: Record<string, { password: string; roles?: string[] }>;
  /** Server uuid (stable across restarts when dataDir is set; generated otherwise). */
  uuid?: string;
  /** `[couchdb] max_document_size` in bytes (CouchDB default 8000000). */
  maxDocumentSize?: number;
  /** `[chttpd] max_http_request_size` in bytes (CouchDB default 4294967296). */
  maxHttpRequestSize?: number;
  /** Answer 429 with Retry-After beyond N requests per second ("constrained gateway" mode). */
  maxRequestRate?: number;
  /** Open connections at most (default 2048); more are refused at accept. */
  maxConnections?: number;
  /** Time allowed to receive a whole request, headers and body (default 300000 ms). */
  requestTimeoutMs?: number;
  /** Where log lines go (CouchDB's format; no credential is ever passed to it). Default: no log. */
  log?: (line: string) => void;
  /** Lowest level logged: debug, info (default), notice, warning, error (`[log] level`). */
  logLevel?: LogLevel;
  /** Serve HTTPS instead of HTTP (CouchDB's `[ssl]` section); the node's URL becomes https://. */
  tls?: NodeTlsOptions;
  /** The node's time (session cookies, db incarnations, the replicator's schedule, log lines). Default: the system clock. */
  clock?: Clock;
}

/** The node's TLS listener, as CouchDB's `[ssl] cert_file, key_file, cacert_file, verify_ssl_certificates`. */
export interface NodeTlsOptions {
  /** PEM certificate (chain) the node presents. */
  cert: string | Buffer;
  /** PEM private key of `cert`. */
  key: string | Buffer;
  /** PEM CA certificate(s) client certificates must chain to (needed by `requireClientCert`). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Mutual TLS: a client without a certificate signed by `ca` is refused in the handshake
   *  (`[ssl] verify_ssl_certificates = true` + `fail_if_no_peer_cert = true`). */
  requireClientCert?: boolean;
}

export interface RunningNode {
  /** Base URL without credentials and without trailing slash, e.g. http://127.0.0.1:5984 (https:// with `tls`) */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, ends open feeds, closes every database file. */
  close(): Promise<void>;
}
