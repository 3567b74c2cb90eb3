import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing as CouchDB 3.5 does it (couch_passwords, couch_users_db, `[chttpd_auth]`):
 * pbkdf2 with sha256 and 600,000 iterations by default, bounded by min/max_iterations at
 * verification. Successful checks are cached so that hashing does not cost every request
 * (CouchDB's chttpd_auth_cache plays that role); the cache key holds a sha256 of the password,
 * never the password.
 */
export const DEFAULT_ITERATIONS = 600_000;
export const DEFAULT_MIN_ITERATIONS = 1;
export const DEFAULT_MAX_ITERATIONS = 1_000_000_000;
const CACHE_TTL_MS = 600_000; // [chttpd_auth] timeout
const CACHE_MAX = 10_000;

export interface PasswordPolicy {
  iterations: number;
  minIterations: number;
  maxIterations: number;
}

/** The pbkdf2 fields of a `_users` doc (couch_users_db:before_doc_update). */
export interface Pbkdf2Fields {
  password_scheme: 'pbkdf2';
  pbkdf2_prf: string;
  iterations: number;
  salt: string;
  derived_key: string;
}

export const PASSWORD_FIELDS = [
  'password_scheme',
  'pbkdf2_prf',
  'iterations',
  'salt',
  'derived_key',
] as const;

export function hashFields(password: string, iterations: number): Pbkdf2Fields {
  const salt = randomBytes(16).toString('hex');
  const derived = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('hex');
  return { password_scheme: 'pbkdf2', pbkdf2_prf: 'sha256', iterations, salt, derived_key: derived };
}

/** `[admins]` values as CouchDB writes them: `-pbkdf2:sha256-DERIVED,SALT,ITERATIONS`. */
export function adminHash(password: string, iterations: number): string {
  const f = hashFields(password, iterations);
  return `-pbkdf2:sha256-${f.derived_key},${f.salt},${f.iterations}`;
}

/** Parses both `-pbkdf2-` (sha1, CouchDB < 3.4) and `-pbkdf2:PRF-` admin hashes. */
export function parseAdminHash(v: string): Omit<Pbkdf2Fields, 'password_scheme'> | undefined {
  const m = /^-pbkdf2(?::(sha\d+))?-([0-9a-f]+),([^,]+),(\d+)$/.exec(v);
  if (!m) return undefined;
  return {
    pbkdf2_prf: m[1] ?? 'sha1',
    derived_key: m[2] as string,
    salt: m[3] as string,
    iterations: Number(m[4]),
  };
}

const cache = new Map<string, number>();

function cacheKey(f: Omit<Pbkdf2Fields, 'password_scheme'>, password: string): string {
  const pw = createHash('sha256').update(password).digest('hex');
  return `${f.pbkdf2_prf}\0${f.iterations}\0${f.salt}\0${f.derived_key}\0${pw}`;
}

/** Whether `password` matches the stored fields; iterations outside the policy never match. */
export function verifyPassword(
  f: Omit<Pbkdf2Fields, 'password_scheme'>,
  password: string,
  policy: PasswordPolicy,
  now = Date.now(),
): boolean {
  if (
    !Number.isSafeInteger(f.iterations) ||
    f.iterations < policy.minIterations ||
    f.iterations > policy.maxIterations
  )
    return false;
  if (!/^sha(1|224|256|384|512)$/.test(f.pbkdf2_prf) || !/^[0-9a-f]+$/i.test(f.derived_key)) return false;
  const key = cacheKey(f, password);
  const until = cache.get(key);
  if (until !== undefined && until > now) return true;
  const want = Buffer.from(f.derived_key, 'hex');
  if (want.length === 0 || want.length > 64) return false;
  const got = pbkdf2Sync(password, f.salt, f.iterations, want.length, f.pbkdf2_prf);
  if (!timingSafeEqual(got, want)) return false;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, now + CACHE_TTL_MS);
  return true;
}

export function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}
