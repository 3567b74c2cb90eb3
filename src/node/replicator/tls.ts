import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsOptions } from '../../couch/options.ts';
import type { NodeTlsOptions } from '../options.ts';
import { RepCrash } from './peer.ts';

/** The `[replicator]` keys CouchDB 3 reads for the replicator's HTTPS connections. */
export const TLS_KEYS = [
  'cert_file',
  'key_file',
  'password',
  'ssl_trusted_certificates_file',
  'verify_ssl_certificates',
  'ssl_certificate_max_depth',
] as const;

/** What every replication client of the node gets for an https:// endpoint, and its pool identity. */
export interface ReplicatorTlsSettings {
  /** differs whenever the settings differ: part of the pooled client's key (see peer-client.ts) */
  readonly key: string;
  readonly tls: TlsOptions;
}

type Section = Partial<Record<(typeof TLS_KEYS)[number], string>>;

/** couch_replicator_utils: `config:get_integer("replicator", "ssl_certificate_max_depth", 3)`. */
const DEFAULT_MAX_DEPTH = 3;

function maxDepth(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return DEFAULT_MAX_DEPTH;
  const n = Number(v.trim());
  if (!Number.isInteger(n) || n < 0)
    throw new RepCrash(
      `tls_error: [replicator] ssl_certificate_max_depth must be a whole number >= 0, got ${JSON.stringify(v)}`,
    );
  return n;
}

/**
 * The node's replicator TLS settings (couch_replicator_parse / couch_replicator_utils `ssl_params`):
 * `[replicator] cert_file` + `key_file` (+ `password`, the key's passphrase) is the client certificate
 * presented to every endpoint, `ssl_trusted_certificates_file` the CAs endpoints must chain to,
 * `verify_ssl_certificates` whether they are checked. A node started with TLS (`--tls-*`) defaults
 * to its own certificate and key as the client certificate and its CA as trusted, so a mesh of such
 * nodes replicates over mutual TLS without any `[replicator]` setting.
 *
 * One deliberate difference: CouchDB 3 defaults `verify_ssl_certificates` to false; here peers are
 * verified unless `verify_ssl_certificates = false` is explicitly configured.
 * `ssl_certificate_max_depth` (CouchDB's default 3, Erlang ssl's `depth`: intermediate CA
 * certificates allowed between the peer's certificate and a trusted root) is enforced while peers
 * are verified: node's TLS has no depth option, so the client checks the verified chain's length
 * (couch/dispatcher.ts) and a deeper chain crashes the job with a `tls_error` reason.
 *
 * Files are read once per change of these keys (not per request or job); a read failure is not
 * cached, so a fixed file is picked up by the job's next start.
 */
export class ReplicatorTls {
  private cached: { signature: string; settings: ReplicatorTlsSettings } | undefined;

  constructor(
    private readonly section: () => Record<string, string> | undefined,
    private readonly nodeTls: NodeTlsOptions | undefined,
    private readonly readFile: (path: string) => Buffer = (p) => readFileSync(p),
  ) {}

  /** The current settings; throws RepCrash (`tls_error: ...`) when a configured file cannot be used. */
  current(): ReplicatorTlsSettings {
    const s = this.section() ?? {};
    const cfg: Section = Object.fromEntries(TLS_KEYS.flatMap((k) => (s[k] === undefined ? [] : [[k, s[k]]])));
    const signature = JSON.stringify(cfg);
    if (this.cached?.signature === signature) return this.cached.settings;
    const tls = this.load(cfg);
    const key = createHash('sha256').update(signature).digest('hex').slice(0, 16);
    this.cached = { signature, settings: { key, tls } };
    return this.cached.settings;
  }

  private file(cfgKey: string, path: string): Buffer {
    try {
      return this.readFile(path);
    } catch (e) {
      throw new RepCrash(
        `tls_error: [replicator] ${cfgKey} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }

  private load(cfg: Section): TlsOptions {
    const tls: TlsOptions = { rejectUnauthorized: cfg.verify_ssl_certificates?.trim() !== 'false' };
    if (tls.rejectUnauthorized) tls.maxDepth = maxDepth(cfg.ssl_certificate_max_depth);
    const ca = cfg.ssl_trusted_certificates_file
      ? this.file('ssl_trusted_certificates_file', cfg.ssl_trusted_certificates_file)
      : this.nodeTls?.ca;
    if (ca !== undefined) tls.ca = ca;
    if (cfg.cert_file || cfg.key_file) {
      if (!cfg.cert_file || !cfg.key_file)
        throw new RepCrash('tls_error: [replicator] cert_file and key_file must be set together');
      tls.cert = this.file('cert_file', cfg.cert_file);
      tls.key = this.privateKey(this.file('key_file', cfg.key_file), cfg.password);
    } else if (this.nodeTls) {
      tls.cert = this.nodeTls.cert;
      tls.key = this.nodeTls.key;
    }
    return tls;
  }

  /** An encrypted key is decrypted here with `password`, once: the client then holds plain PEM. */
  private privateKey(pem: Buffer, password: string | undefined): Buffer | string {
    if (password === undefined || password === '') return pem;
    try {
      return createPrivateKey({ key: pem, passphrase: password })
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
    } catch (e) {
      throw new RepCrash(
        `tls_error: [replicator] key_file cannot be decrypted with [replicator] password (${(e as Error).message})`,
      );
    }
  }
}
