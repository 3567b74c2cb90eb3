/**
 * Codes of mesh.yaml diagnostics: `couchmesh validate` (and every command that loads a mesh) reports
 * each problem as `file:line:col path: message`, with its code in `--json`. A diagnostic carries its
 * own hint, made for the place it points at, so these entries have none. Part of `CODES` (codes.ts).
 */
import { type CodeInfo, user, type WarningInfo } from './code-info.ts';

export const MESH_CODES = {
  E_YAML_SYNTAX: user('the mesh file is not well-formed YAML'),
  E_YAML: user('the YAML parses but cannot be turned into data (an anchor or alias problem)'),
  E_EMPTY_MESH: user('the mesh file, or its nodes:, is empty'),
  E_TYPE: user('a field holds the wrong kind of value'),
  E_VALUE: user('a field holds a value outside its allowed set'),
  E_FORMAT: user('a string field does not have the required format'),
  E_RANGE: user('a number outside its allowed range, or a range whose min is above its max'),
  E_MISSING: user('a required field is missing'),
  E_INVALID: user('a field fails a check that has no more specific code'),
  E_UNKNOWN_KEY: user('a key the mesh format does not know (keys are case-sensitive)'),
  E_DUPLICATE_KEY: user('a key given twice in one mapping (YAML would keep only the last)'),
  E_DUPLICATE_NODE: user('a node name given twice'),
  E_DUPLICATE_LINK_CLASS: user('a link class name given twice'),
  E_DUPLICATE_DATABASE: user('a database listed twice'),
  E_DUPLICATE_LINK: user('the same pair of nodes linked twice'),
  E_NODE_MEMBERS: user('a cluster member listed twice, or members with different URL schemes'),
  E_VIA_RELAY: user(
    'via_relay on a node that is not members-only, or naming no relay node with a failover.relays proxy',
  ),
  E_NODE_NAME: user("a node name that is not lowercase letters, digits, _ and -, or contains '--'"),
  E_CLASS_NAME: user('a link class name that is not lowercase letters, digits, _ and -'),
  E_URL: user('a node URL that is not an http(s) base URL'),
  E_URL_CREDENTIALS: user('a node URL with user:password@ in it'),
  E_INLINE_PASSWORD: user('a password written in mesh.yaml instead of referenced'),
  E_AUTH: user('auth names no password reference, or both password_env and password_file'),
  E_CREDENTIAL_ENV: user("the environment variable holding a node's password is not set"),
  E_CREDENTIAL_FILE: user('a password file that is missing, unreadable or empty'),
  E_REPLICATION_USERS: user(
    'replication_users: a password template naming the wrong owner ({LINK} with per: node)',
  ),
  E_TLS: user('tls with only one of cert_file and key_file'),
  E_TLS_FILE: user('a tls file that does not exist'),
  E_TLS_SERVER: user(
    'couch_tls.server without its certificate or key, or requiring client certificates without cacert_file',
  ),
  E_FAILOVER: user('failover: names a relay that is not a relay node, or a link that does not exist'),
  E_NO_DATABASES: user('the mesh, or a link, carries no databases'),
  E_SYSTEM_DATABASE: user('a system database (_name) listed for replication'),
  E_UNKNOWN_NODE: user('a link names a node not declared under nodes:'),
  E_UNKNOWN_DATABASE: user('a link names a database not listed under databases:'),
  E_UNKNOWN_LINK_CLASS: user('a link or defaults: names a link class that is not defined'),
  E_SELF_LINK: user('a node linked to itself'),
  E_LINK_UNDRIVABLE: user('neither node of a link can reach the other, so no node can run its replication'),
  E_HUB: user('hub: given to a generator other than star'),
} satisfies Record<`E_${string}`, CodeInfo>;

export const MESH_WARNINGS = {
  W_YAML: { meaning: 'a YAML warning (the file still parses)' },
  W_CHECKPOINT_RANGE: { meaning: "a checkpoint_interval outside its link class's sensible range" },
  W_THRESHOLDS: { meaning: 'lag_warning_changes above lag_critical_changes' },
  W_TLS_HTTP: { meaning: 'tls set on a node whose URL is http://, so it is not used' },
  W_PLAN_RESCAN: {
    meaning:
      "plan: an update changes a direction's replication id (an endpoint's URL or user), so it re-scans from seq 0",
  },
  W_REPL_SHARED_PASSWORD: {
    meaning: 'a replication_users password template without {NODE}/{LINK}: one password for all',
  },
  W_SECRET_FILE_MODE: { meaning: 'a password file readable by other users (not 0600)' },
  W_NO_LINKS: { meaning: 'the mesh declares no links: nothing will replicate' },
  W_ISOLATED_NODE: { meaning: 'a node that is in no link' },
  W_GENERATOR_EMPTY: { meaning: 'a generator that generates no links' },
  W_GENERATED_TWICE: { meaning: 'a link generated twice with different settings (the first is kept)' },
  W_GENERATED_UNDRIVABLE: { meaning: 'a generated link skipped because neither node can reach the other' },
} satisfies Record<`W_${string}`, WarningInfo>;
