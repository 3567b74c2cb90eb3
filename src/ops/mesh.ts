/**
 * The one way to open a mesh: load and validate mesh.yaml, resolve credentials (only here, where
 * requests are about to be made), build one client per node and the mesh's links. Every operation
 * (plan, apply, destroy, status, doctor, checkpoint, reconcile, metrics) starts here.
 */
import { readFileSync } from 'node:fs';
import { CouchmeshError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import type { CouchClientOptions, TlsOptions } from '../couch/options.ts';
import { type HealthThresholds, healthThresholdsFromSpec } from '../health/types.ts';
import { directionKey, type MeshLink, meshLinks } from '../observe/links.ts';
import type { PasswordOf } from '../plan/desired.ts';
import { clientsFor } from '../plan/observe.ts';
import { clientTlsFor } from '../security/client-tls.ts';
import { resolveAuth } from '../spec/credentials.ts';
import { plural } from '../spec/diagnostic.ts';
import { loadMeshFile, meshFilePath } from '../spec/load.ts';
import type { MeshSpec, NodeSpec } from '../spec/types.ts';
import type { ValidationResult } from '../spec/validate.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { noSuchLink, selectionError } from './select-errors.ts';

export interface OpenMesh {
  file: string;
  validation: ValidationResult;
  spec: MeshSpec;
  links: MeshLink[];
  clients: Map<string, CouchClient>;
  passwordOf: PasswordOf;
  thresholds: HealthThresholds;
  close(): Promise<void>;
}

/**
 * Telemetry client defaults: one quick retry, a short timeout (a poll must not hang on one node).
 * Callers' `client` options win.
 */
export const TELEMETRY_CLIENT: Partial<CouchClientOptions> = { retries: 1, timeoutMs: 5_000 };

/** The mesh file does not validate; `validation` holds every diagnostic (front ends print them). */
export class MeshInvalidError extends CouchmeshError {
  readonly validation: ValidationResult;
  constructor(v: ValidationResult) {
    super(
      'E_MESH_INVALID',
      `${v.file} is not valid: ${plural(v.errors, 'error')}${v.warnings ? `, ${plural(v.warnings, 'warning')}` : ''}`,
      {
        hint: "fix the errors listed above, then run 'couchmesh validate' again",
        data: { file: v.file, errors: v.errors, warnings: v.warnings },
      },
    );
    this.validation = v;
  }
}

export interface OpenOptions {
  /** client options under `deps.client` (default: TELEMETRY_CLIENT) */
  clientDefaults?: Partial<CouchClientOptions>;
  /** per-node client options over `deps.client` (plan/apply: a request counter per node) */
  perNode?: (node: NodeSpec) => Partial<CouchClientOptions>;
  /** check the replication users' password references (plan, apply, destroy, rotate: they write them) */
  replicationPasswords?: boolean;
}

export function openMesh(
  flags: { file?: string },
  deps: MeshDeps,
  opts: OpenOptions = {},
): { ok: true; mesh: OpenMesh } | { ok: false; validation: ValidationResult } {
  const file = meshFilePath(flags.file, deps.env);
  const validation = loadMeshFile(file, {
    env: deps.env,
    checkReferences: true,
    replicationUsers: opts.replicationPasswords === true,
  });
  if (!validation.ok || !validation.spec) return { ok: false, validation };
  const spec = validation.spec;
  const readFile = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const passwordOf: PasswordOf = (n) => resolveAuth(n, { env: deps.env, readFile })?.password;
  const base = {
    ...(opts.clientDefaults ?? TELEMETRY_CLIENT),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...deps.client,
  };
  const perNode = opts.perNode;
  // mesh.yaml's tls (CA, client certificate, key) goes to every request of every operation; read
  // and checked for all nodes before any client exists, so a bad file leaves nothing open
  const now = clockOf(deps).now();
  const tls = new Map<string, TlsOptions>();
  for (const n of spec.nodes) {
    const t = clientTlsFor(n, readFile, now);
    if (t) tls.set(n.name, t);
  }
  const clients = clientsFor(spec, passwordOf, (n) => {
    const t = tls.get(n.name);
    return { ...base, ...perNode?.(n), ...(t ? { tls: t } : {}) };
  });
  const thresholds = healthThresholdsFromSpec(spec.thresholds, deps.thresholds, spec.controller);
  return {
    ok: true,
    mesh: {
      file,
      validation,
      spec,
      links: meshLinks(spec),
      clients,
      passwordOf,
      thresholds,
      close: async () => {
        await Promise.allSettled([...clients.values()].map((c) => c.close()));
      },
    },
  };
}

/** Opens the mesh, runs `fn`, closes the clients. An invalid mesh throws `MeshInvalidError`. */
export async function withMesh<T>(
  flags: { file?: string },
  deps: MeshDeps,
  fn: (m: OpenMesh) => Promise<T>,
): Promise<T> {
  const r = openMesh(flags, deps);
  if (!r.ok) throw new MeshInvalidError(r.validation);
  try {
    return await fn(r.mesh);
  } finally {
    await r.mesh.close();
  }
}

export interface Selection {
  link: MeshLink;
  /** the chosen directions of the link (both unless `direction`) */
  directions: MeshLink['directions'][number][];
}

/** Which link (+ database, + direction) an operation is about. */
export interface LinkChoice {
  /** `a--b` (either order; `a<->b` and `a,b` accepted) */
  link: string;
  /** needed when the link carries several databases */
  db?: string;
  /** `a->b`: one direction (default: both) */
  direction?: string;
}

/** Picks link + database (+ direction) of the mesh. */
export function selectLink(links: readonly MeshLink[], choice: LinkChoice): Selection {
  const arg = choice.link;
  const names = arg
    .split(/<->|--|,/)
    .map((s) => s.trim())
    .filter(Boolean);
  const key = names.length === 2 ? [...names].sort().join('--') : arg;
  const candidates = links.filter((l) => l.link === key || l.link === arg);
  if (!candidates.length) throw noSuchLink(arg, [...new Set(links.map((l) => l.link))]);
  const dbs = candidates.map((l) => l.db);
  let link: MeshLink | undefined;
  if (choice.db !== undefined) {
    link = candidates.find((l) => l.db === choice.db);
    if (!link) throw selectionError('db', key, dbs, choice.db);
  } else if (candidates.length > 1) throw selectionError('db-required', key, dbs);
  else link = candidates[0] as MeshLink;
  if (choice.direction === undefined) return { link, directions: [...link.directions] };
  const want = choice.direction.replace(/\s+/g, '').replace('=>', '->');
  const dir = link.directions.find((d) => directionKey(d.from, d.to) === want);
  if (!dir)
    throw selectionError(
      'direction',
      key,
      link.directions.map((d) => directionKey(d.from, d.to)),
      choice.direction,
    );
  return { link, directions: [dir] };
}
