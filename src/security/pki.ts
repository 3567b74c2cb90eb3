/**
 * The mesh PKI's certificates, made with @peculiar/x509 (never hand-written ASN.1) and signed by
 * Node's WebCrypto: ECDSA P-256 keys, SHA-256 signatures, private keys exported as PKCS#8 PEM (what
 * node:tls, undici and CouchDB's `[ssl] key_file` read). Pure of the file system: the caller gives
 * the time (`now`, from the injected Clock) and writes the PEM where it wants.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
const { subtle } = webcrypto;
// node:crypto's webcrypto is the WebCrypto `Crypto` x509 wants (tsconfig has no DOM lib to name that type)
x509.cryptoProvider.set(webcrypto as never);

const EC: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface CertPair {
  certPem: string;
  keyPem: string;
}

export interface CaOptions {
  /** The CA's common name. Default `couchmesh mesh CA`. */
  commonName?: string;
  /** Milliseconds since the epoch (the injected Clock's now). */
  now: number;
  days: number;
}

export interface IssueOptions {
  /** The node's name: the certificate's common name. */
  commonName: string;
  /** Host names and IP addresses the certificate is valid for (SANs). */
  hosts: readonly string[];
  now: number;
  days: number;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** 16 random bytes, top bit clear: RFC 5280 wants a positive serial of at most 20 octets. */
function serial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] as number) & 0x7f;
  return Buffer.from(b).toString('hex');
}

function validity(now: number, days: number): { notBefore: Date; notAfter: Date } {
  // a minute of slack before `now`: a peer whose clock lags slightly still accepts a fresh certificate
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + days * DAY_MS) };
}

/** One SAN per host: an IP SAN for an IP address (a TLS client matches IPs only there), DNS otherwise. */
export function sanNames(hosts: readonly string[]): x509.JsonGeneralName[] {
  return hosts.map((h) => {
    const bare = h.replace(/^\[|\]$/g, '');
    return isIP(bare) ? { type: 'ip', value: bare } : { type: 'dns', value: h.toLowerCase() };
  });
}

/** A self-signed mesh CA: basicConstraints CA (critical, path length 0), keyUsage keyCertSign + cRLSign. */
export async function createCa(o: CaOptions): Promise<CertPair> {
  const keys = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${o.commonName ?? 'couchmesh mesh CA'}`,
    ...validity(o.now, o.days),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return subtle.importKey('pkcs8', der, EC, false, ['sign']);
}

/**
 * A node's certificate, signed by the CA: one certificate for both ends of TLS (serverAuth for its
 * listener, clientAuth for mutual TLS towards its peers), as CouchDB's `[ssl]` and `[replicator]
 * cert_file` may point at the same file.
 */
export async function issueCert(ca: CertPair, o: IssueOptions): Promise<CertPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${o.commonName}`,
    issuer: caCert.subject,
    ...validity(o.now, o.days),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(sanNames(o.hosts)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}
