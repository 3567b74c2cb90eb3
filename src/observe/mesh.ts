/**
 * Opening a mesh for telemetry: load and validate mesh.yaml, resolve credentials (only here, where
 * requests are about to be made), build one client per node and the mesh's links. Shared by
 * `status`, `doctor`, `checkpoint`, `reconcile` and `metrics`.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.ts';
import { userError } from '../core/errors.ts';
import type { CouchClient } from '../couch/client.ts';
import type { CouchClientOptions } from '../couch/options.ts';
import { type HealthThresholds, healthThresholdsFromSpec } from '../health/types.ts';
import type { PasswordOf } from '../plan/desired.ts';
import { clientsFor } from '../plan/observe.ts';
import { resolveAuth } from '../spec/credentials.ts';
import { loadMeshFile, meshFilePath } from '../spec/load.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { ValidationResult } from '../spec/validate.ts';
import { directionKey, type MeshLink, meshLinks } from './links.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What the telemetry commands need from the outside world (tests inject every part). */
export interface TelemetryDeps {
  env: Env;
  /** reads password files (default: fs) */
  readFile?: (path: string) => string;
  /** extra options of every node's client (tests: retries, timeouts, an onResponse counter) */
  client?: Partial<CouchClientOptions>;
  clock?: Clock;
  /** overrides of the thresholds derived from mesh.yaml */
  thresholds?: Partial<HealthThresholds>;
}

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

export function openMesh(
  flags: { file?: string },
  deps: TelemetryDeps,
): { ok: true; mesh: OpenMesh } | { ok: false; validation: ValidationResult } {
  const file = meshFilePath(flags.file, deps.env);
  const validation = loadMeshFile(file, { env: deps.env, checkReferences: true });
  if (!validation.ok || !validation.spec) return { ok: false, validation };
  const spec = validation.spec;
  const readFile = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const passwordOf: PasswordOf = (n) => resolveAuth(n, { env: deps.env, readFile })?.password;
  const clients = clientsFor(spec, passwordOf, {
    ...TELEMETRY_CLIENT,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...deps.client,
  });
  const thresholds = healthThresholdsFromSpec(spec.thresholds, deps.thresholds);
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

export interface Selection {
  link: MeshLink;
  /** the chosen directions of the link (both unless `--direction`) */
  directions: MeshLink['directions'][number][];
}

/**
 * Picks link + database (+ direction) from CLI arguments: LINK is `a--b` (either order; `a<->b`
 * and `a,b` accepted), `--db` is needed when the link carries several databases, `--direction a->b`
 * narrows to one direction.
 */
export function selectLink(
  links: readonly MeshLink[],
  arg: string,
  opts: { db?: string; direction?: string },
): Selection {
  const names = arg
    .split(/<->|--|,/)
    .map((s) => s.trim())
    .filter(Boolean);
  const key = names.length === 2 ? [...names].sort().join('--') : arg;
  const known = [...new Set(links.map((l) => l.link))];
  const candidates = links.filter((l) => l.link === key || l.link === arg);
  if (!candidates.length)
    throw userError(
      'E_NO_SUCH_LINK',
      `no link '${arg}' in this mesh`,
      `links are named a--b: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`,
      { link: arg },
    );
  const dbs = candidates.map((l) => l.db);
  let link: MeshLink | undefined;
  if (opts.db !== undefined) {
    link = candidates.find((l) => l.db === opts.db);
    if (!link)
      throw userError(
        'E_NO_SUCH_DB',
        `link ${key} does not carry database '${opts.db}'`,
        `its databases: ${dbs.join(', ')}`,
      );
  } else if (candidates.length > 1)
    throw userError(
      'E_DB_REQUIRED',
      `link ${key} carries ${dbs.length} databases (${dbs.join(', ')})`,
      'choose one with --db NAME',
    );
  else link = candidates[0] as MeshLink;
  if (opts.direction === undefined) return { link, directions: [...link.directions] };
  const want = opts.direction.replace(/\s+/g, '').replace('=>', '->');
  const dir = link.directions.find((d) => directionKey(d.from, d.to) === want);
  if (!dir)
    throw userError(
      'E_NO_SUCH_DIRECTION',
      `link ${key} has no direction '${opts.direction}'`,
      `use ${link.directions.map((d) => directionKey(d.from, d.to)).join(' or ')}`,
    );
  return { link, directions: [dir] };
}
