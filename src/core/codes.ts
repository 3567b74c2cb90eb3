/**
 * Every stable error code couchmesh reports, in one place: what it means, the hint a
 * `CouchmeshError` carries when the place that throws it gives none, and the kind that decides the
 * CLI's exit code (`user` -> 1, `bug` -> 70). Programs branch on these codes (`--json`, the
 * `code` of an unreachable node in a plan or a finding's evidence), so a code is never renamed
 * silently: `ErrorCode` is derived from this table, and an unregistered literal fails `tsc`.
 * `codes.test.ts` checks that every `'E_…'` literal in src is registered and every code is used.
 *
 * Codes of mesh.yaml diagnostics (`couchmesh validate`) are in `codes-mesh.ts`.
 */

import { bug, type CodeInfo, type ErrorKind, user } from './code-info.ts';
import { MESH_CODES, MESH_WARNINGS } from './codes-mesh.ts';

export type { CodeInfo, ErrorKind };

/** The CLI's exit codes: 0 ok, 1 user error / failure, 2 "changes present" or "problems found", 70 a bug. */
export const EXIT = { ok: 0, failure: 1, changes: 2, bug: 70 } as const;

/** The exit code of an error of each kind (sysexits' EX_SOFTWARE for bugs). */
export const EXIT_CODE_OF_KIND: Record<ErrorKind, number> = { user: EXIT.failure, bug: EXIT.bug };

/** The CouchDB client (`src/couch`): every failure of a request to a node. */
const COUCH_CODES = {
  E_COUCH_HTTP: user('a non-2xx answer without a more specific code (5xx, 400, 412, 429 after retries)'),
  E_COUCH_AUTH: user('401: the node refused or did not receive credentials'),
  E_COUCH_FORBIDDEN: user("403: authenticated, but not allowed by the database's _security"),
  E_COUCH_NOT_FOUND: user('404: no such database or document'),
  E_COUCH_CONFLICT: user('409: document update conflict'),
  E_COUCH_UNREACHABLE: user(
    'the node could not be talked to (connection refused / reset, DNS failure); also the code of an unreachable node in plans and findings',
  ),
  E_COUCH_TIMEOUT: user('connect, headers or body timeout'),
  E_COUCH_TLS: user(
    'the TLS handshake failed (untrusted certificate, wrong host name), or the node refused our client certificate; never retried',
  ),
  E_COUCH_ABORTED: user("the caller's AbortSignal fired"),
  E_COUCH_PROTOCOL: user('the node answered something CouchDB does not send (bad JSON, bad feed line)'),
  E_COUCH_CLOSED: bug('a request on a client that was closed'),
  E_COUCH_OPTION: bug('invalid client or request options'),
  E_COUCH_URL_CREDENTIALS: user('a node URL carrying user:password@; credentials belong in auth'),
};

/** The embedded node (`src/node`) and the `couchmesh node` / `metrics` / `demo` commands that start servers. */
const NODE_CODES = {
  E_NODE_STORAGE: user('the embedded node was given neither a data folder nor in-memory storage'),
  E_NODE_OPTION: user('an embedded node option that must be a positive number is not'),
  E_NODE_NO_ADMIN: user('the embedded node needs a server admin (CouchDB 3 does not run in admin party)'),
  E_NODE_FILE_DAMAGED: user(
    "a node file (identity, persisted _config) is damaged or empty: the node won't start",
  ),
  E_ADMIN_SPEC: user('--admin is not USER:PASS'),
  E_LOG_LEVEL: user('--log-level is not a known level'),
  E_PORT: user('a port outside 0..65535', 'use 0 for any free port'),
  E_CONTROLLER_STATE: user(
    'the controller cannot open its local store',
    'pass --state-dir a folder you can write (default .couchmesh/ beside mesh.yaml)',
  ),
  E_PORT_IN_USE: user('the port asked for is already in use', 'pick another --port, or 0 for any free port'),
};

/** The mesh PKI (`couchmesh certs`) and TLS between couchmesh and the nodes (`src/security`). */
const SECURITY_CODES = {
  E_CERTS_EXISTS: user('certs: the file exists and --force was not given'),
  E_CERTS_NO_CA: user('certs: no mesh CA in the folder', 'create one with: couchmesh certs init'),
  E_CERTS_READ: user('certs: a certificate or key file cannot be read or is not PEM'),
  E_CERTS_HOSTS: user('certs issue: no host to put in the certificate (no node URL, no --host)'),
  E_CERTS_DAYS: user('certs: --days is not a positive whole number'),
  E_TLS_CERT_EXPIRED: user(
    "a node's TLS certificate (mesh.yaml tls.cert_file) has expired or is not valid yet",
  ),
  E_TLS_WRONG_CA: user("a node's TLS certificate was not issued by the CA mesh.yaml trusts (tls.ca_file)"),
  E_TLS_PEM: user("a node's TLS file (ca_file, cert_file, key_file) cannot be read or is not PEM"),
  E_NODE_TLS: user(
    'the embedded node was given a TLS option it cannot use (cert without key, unreadable PEM)',
  ),
};

/** Topology as code: mesh files, plans, apply / destroy. */
const TOPOLOGY_CODES = {
  E_MESH_NOT_FOUND: user('no mesh file at the given path', "run 'couchmesh init' to write a starter"),
  E_MESH_READ: user('the mesh file exists but cannot be read', 'check the path and its permissions'),
  E_MESH_INVALID: user('the mesh file has validation errors (listed as diagnostics)'),
  E_CREDENTIAL: user("a node's password reference (env variable or file) gives no password"),
  E_PLAN_FILE: user('a saved plan that cannot be read or is not a couchmesh plan'),
  E_PLAN_OPTIONS: user('an option that would change what a saved plan says'),
  E_PLAN_STALE: user('the mesh file or a node changed since the saved plan was made; nothing was written'),
  E_NO_REPLICATION_USERS: user(
    "rotate-credentials: the mesh declares no replication_users (replication docs carry the nodes' own credentials)",
    'declare replication_users: { password_env: REPL_{NODE} } in mesh.yaml, then couchmesh apply',
  ),
  E_PLAN_INCOMPLETE: user('plan --detailed-exitcode: some nodes could not be planned'),
  E_PLAN_ORPHANS: user(
    'plan --detailed-exitcode: managed documents no longer declared are kept (exit 2)',
    'delete them with: couchmesh apply --prune',
  ),
  E_APPLY: user("a node's apply failed with an error that is not the CouchDB client's (recorded per node)"),
  E_APPLY_FAILED: user('apply / destroy wrote nothing: every node failed'),
  E_APPLY_PARTIAL: user('apply / destroy finished on some nodes only'),
  E_CONFIRM: user('a command that changes nodes needs confirmation and there is no terminal', 'pass --yes'),
  E_CANCELLED: user('the user declined the confirmation: nothing was changed'),
};

/** Telemetry, doctor, checkpoints, reconcile, alerts. */
const TELEMETRY_CODES = {
  E_TELEMETRY_SHAPE: user('a telemetry endpoint answered without the documented CouchDB 3.x shape'),
  E_CHECKPOINT_READ: user(
    'a checkpoint could not be read, for a reason other than the CouchDB client (recorded)',
  ),
  E_NO_CLIENT: user('no client for the node a checkpoint lives on (recorded)'),
  E_NO_SUCH_LINK: user('no link of that name in the mesh', 'links are named a--b: see couchmesh status'),
  E_NO_SUCH_DB: user('the link does not carry that database'),
  E_DB_REQUIRED: user('the link carries several databases: one must be chosen', 'choose one with --db NAME'),
  E_NO_SUCH_DIRECTION: user(
    'the link has no such direction',
    'directions are named from->to: see couchmesh status',
  ),
  E_NO_REPLICATION_ID: user('the direction has no replication job, so its checkpoint id is unknown'),
  E_RESET_STOP: user('checkpoint reset: the replication job did not stop in time'),
  E_RECONCILE_BUSY: user('a reconcile of that direction is already running'),
  E_RECONCILE_FAILED: user('the one-shot replication of a reconcile failed'),
  E_RECONCILE_TIMEOUT: user('the one-shot replication of a reconcile did not complete in time'),
  E_VERIFY_SELECTION: user(
    "verify's --db or --nodes names a database or node the mesh does not have",
    'see the databases and nodes of mesh.yaml (couchmesh graph)',
  ),
  E_ALERT_WEBHOOK: user('an alert could not be delivered to a webhook'),
  E_WEBHOOK_CREDENTIALS: user(
    'a webhook URL carries user:password@ (never sent, and a secret on the command line)',
    "remove 'user:password@' and pass the credentials as a header: --webhook-header 'Authorization=env:HOOK_AUTH'",
  ),
  E_WEBHOOK_HEADER: user(
    '--webhook-header is not NAME=env:VARIABLE or NAME=file:PATH (values are never taken from the command line)',
    "e.g. --webhook-header 'Authorization=env:HOOK_AUTH' or 'X-Token=file:/run/secrets/token'",
  ),
  E_WEBHOOK_HEADER_REF: user(
    "a webhook header's reference gives no value (variable unset or empty, file unreadable or empty)",
  ),
};

/** Conflict resolution, the audit trail, undo. */
const CONFLICT_CODES = {
  E_CONFLICTS_NODE: user('conflicts commands: no node URL or database given'),
  E_CONFLICTS_AUTH: user('conflicts commands: a user without a password, or a password without a user'),
  E_CONFLICTS_CONFIG: user('invalid or unreadable conflict-resolution settings'),
  E_CUSTOM_STRATEGY: user('the custom strategy module cannot be loaded or exports no resolve function'),
  E_RESOLVE_FAILED: user('some documents could not be resolved'),
  E_AUDIT_NOT_FOUND: user('no audit entry with that id'),
  E_AUDIT_WRITE: user('the audit trail refused an entry, so nothing was undone'),
  E_UNDO_KIND: user('undo was given an audit entry that is not a resolution'),
  E_UNDO_REV: user('undo cannot tell which losing revision to restore'),
};

/** The controller's HTTP API and dashboard (`src/api`). */
const API_CODES = {
  E_API_TOKEN: user('the HTTP API was given no token (or a short one) for a non-loopback address'),
};

/** Flags and commands with no area of their own. */
const CLI_CODES = {
  E_USAGE: user('a flag value the command cannot use'),
  E_FLAG: user('a flag that expects a positive integer got something else'),
  E_GRAPH_FORMAT: user('graph: unknown output format'),
  E_RELAY_ALLOW: user('relay: an --allow entry that is not HOST:PORT'),
  E_INIT_EXISTS: user('init: the file exists and --force was not given'),
  E_INIT_WRITE: user('init: the file cannot be written', 'check that the folder exists and is writable'),
  E_DEMO: user('the demo mesh did not validate'),
  E_DEMO_APPLY: user('applying the demo mesh failed on some nodes'),
  E_DEMO_NODES: user('--nodes outside 2..32'),
  E_DEMO_TIMEOUT: user('the demo did not reach its next step in time'),
  E_REHEARSE: user('rehearse: the embedded mesh could not be started or applied'),
  E_REHEARSE_SCENARIO: user(
    'rehearse: --scenario names no scenario',
    'one of: partition, isolate, split, flap, crash, recreate, relay-loss',
  ),
  E_REHEARSE_OPTION: user('rehearse: --duration, --rate or --seed outside its range'),
};

/** The registry: every error code, by name. */
export const CODES = {
  ...MESH_CODES,
  ...COUCH_CODES,
  ...NODE_CODES,
  ...SECURITY_CODES,
  ...TOPOLOGY_CODES,
  ...TELEMETRY_CODES,
  ...CONFLICT_CODES,
  ...API_CODES,
  ...CLI_CODES,
} satisfies Record<`E_${string}`, CodeInfo>;

/** A registered error code: a typo or an unregistered code fails `tsc`. */
export type ErrorCode = keyof typeof CODES;

/** mesh.yaml warnings (`W_…`): reported by `couchmesh validate`, never thrown. */
export const WARNINGS = MESH_WARNINGS;
export type WarningCode = keyof typeof WARNINGS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(CODES, code);
}

export function codeInfo(code: ErrorCode): CodeInfo {
  return CODES[code];
}
