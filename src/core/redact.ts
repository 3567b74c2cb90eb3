/**
 * Masking secrets in free text (log excerpts, error messages, alert bodies): URL userinfo passwords
 * and every secret couchmesh knows (the mesh's resolved node passwords, webhook header values).
 * CouchDB does the same in its own logs: couch_util:url_strip_password turns `http://user:pass@`
 * into `http://user:*****@` before a replication's source or target is logged.
 */
export const MASK = '***';

/** `scheme://user:pass@host` -> `scheme://user:***@host`; a userinfo without `:` is a name, kept. */
export function maskUrlUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/?#@:\s]*):[^/?#@\s]*@/gi, `$1:${MASK}@`);
}

export interface KnownSecret {
  value: string;
  /** the user the value is the password of: its basic-auth token `base64(user:value)` is masked too */
  username?: string;
}

/** A function masking URL userinfo and every form of every known secret a text may carry. */
export type Redactor = (text: string) => string;

/** The forms a secret can take in text: as is, percent-encoded (in a URL), in a basic-auth token. */
function formsOf(s: KnownSecret): string[] {
  const forms = [s.value, encodeURIComponent(s.value)];
  if (s.username !== undefined) forms.push(Buffer.from(`${s.username}:${s.value}`).toString('base64'));
  return forms;
}

export function redactor(secrets: readonly KnownSecret[] = []): Redactor {
  // longest first: a secret that contains another is masked whole
  const forms = [...new Set(secrets.filter((s) => s.value).flatMap(formsOf))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = maskUrlUserinfo(text);
    for (const f of forms) out = out.split(f).join(MASK);
    return out;
  };
}

/** A deep copy of `v` with `r` applied to every string in it (keys included). */
export function redactDeep<T>(v: T, r: Redactor): T {
  if (typeof v === 'string') return r(v) as T;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, r)) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [r(k), redactDeep(x, r)])) as T;
  return v;
}
