/**
 * couchmesh's own TLS towards a node: mesh.yaml's `tls:` (ca_file, cert_file, key_file, by file
 * reference) becomes the couch client's `tls` option, and the client certificate is checked first,
 * so an expired certificate or one from another CA is named with its node and its fix instead of
 * surfacing as a bare handshake failure (a server refusing a client certificate answers only with
 * an alert or a reset). The checks use node:crypto's X509Certificate (OpenSSL), synchronously.
 */
import { X509Certificate } from 'node:crypto';
import { userError } from '../core/errors.ts';
import type { TlsOptions } from '../couch/options.ts';
import type { NodeSpec } from '../spec/types.ts';

type ReadFile = (path: string) => string;

function readPem(node: string, key: string, path: string, readFile: ReadFile): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    throw userError(
      'E_TLS_PEM',
      `node ${node}: tls.${key} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`,
      'fix the path in mesh.yaml (relative paths start at the mesh file) or the file permissions',
      { node, file: path },
    );
  }
  if (!text.includes('-----BEGIN '))
    throw userError('E_TLS_PEM', `node ${node}: tls.${key} ${path} is not a PEM file`, undefined, {
      node,
      file: path,
    });
  return text;
}

function parse(node: string, key: string, path: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw userError(
      'E_TLS_PEM',
      `node ${node}: tls.${key} ${path} holds no certificate (${(e as Error).message})`,
      undefined,
      {
        node,
        file: path,
      },
    );
  }
}

/** The fix couchmesh's own PKI offers for a node's certificate. */
const reissue = (node: string) => `issue a new one from the mesh CA: couchmesh certs issue ${node} --force`;

/**
 * The client certificate couchmesh presents to `node` must be valid now and, when a CA is given,
 * issued by it (the mesh has one CA: the node verifies client certificates against the same one).
 */
export function checkClientCert(
  node: string,
  files: { cert: string; ca?: string },
  pem: { cert: string; ca?: string },
  now: number,
): void {
  const cert = parse(node, 'cert_file', files.cert, pem.cert);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (now > to || now < from)
    throw userError(
      'E_TLS_CERT_EXPIRED',
      `node ${node}: the client certificate ${files.cert} ${now > to ? `expired on ${cert.validTo}` : `is not valid before ${cert.validFrom}`}`,
      now > to ? reissue(node) : "check this machine's clock, or issue a certificate valid now",
      { node, file: files.cert, notAfter: new Date(to).toISOString() },
    );
  if (pem.ca === undefined || files.ca === undefined) return;
  const ca = parse(node, 'ca_file', files.ca, pem.ca);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    throw userError(
      'E_TLS_WRONG_CA',
      `node ${node}: the client certificate ${files.cert} was not issued by the CA in ${files.ca}`,
      `${reissue(node)}, or point tls.ca_file at the CA that signed it`,
      { node, file: files.cert, ca: files.ca },
    );
}

/**
 * The couch client's TLS options for a node, from mesh.yaml's references (none for an http:// node:
 * validate warns that its tls is unused). Verification stays on: `rejectUnauthorized` is never false.
 */
export function clientTlsFor(node: NodeSpec, readFile: ReadFile, now: number): TlsOptions | undefined {
  const refs = node.tls;
  if (!refs || !node.url.startsWith('https:')) return undefined;
  const out: TlsOptions = {};
  if (refs.ca_file) out.ca = readPem(node.name, 'ca_file', refs.ca_file, readFile);
  if (refs.cert_file && refs.key_file) {
    out.cert = readPem(node.name, 'cert_file', refs.cert_file, readFile);
    out.key = readPem(node.name, 'key_file', refs.key_file, readFile);
    checkClientCert(
      node.name,
      { cert: refs.cert_file, ...(refs.ca_file ? { ca: refs.ca_file } : {}) },
      { cert: out.cert, ...(typeof out.ca === 'string' ? { ca: out.ca } : {}) },
      now,
    );
  }
  return out;
}
