/**
 * Reading a certificate back: subject, SANs, extended key usages, validity against the injected
 * clock, and whether the mesh CA signed it (issuer name and signature, as a TLS peer checks it).
 */
import * as x509 from '@peculiar/x509';
import './pki.ts'; // sets @peculiar/x509's crypto provider

const DAY_MS = 86_400_000;

export interface CertInfo {
  subject: string;
  issuer: string;
  /** `DNS:host` / `IP:addr`, as openssl prints them */
  sans: string[];
  /** extended key usages by name (serverAuth, clientAuth) or OID */
  eku: string[];
  notBefore: string;
  notAfter: string;
  /** whole days until notAfter (negative once expired) */
  daysLeft: number;
  /** expired, or not valid yet */
  expired: boolean;
  notYetValid: boolean;
  /** whether the CA given signed it (undefined when no CA was given) */
  issuedByCa: boolean | undefined;
}

const EKU_NAMES: Record<string, string> = {
  [x509.ExtendedKeyUsage.serverAuth]: 'serverAuth',
  [x509.ExtendedKeyUsage.clientAuth]: 'clientAuth',
};

/** Parses a PEM certificate; throws on anything else (callers map it to their coded error). */
export function parseCert(pem: string): x509.X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate');
  return new x509.X509Certificate(pem);
}

function sansOf(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  return ext.names.toJSON().map((n) => `${n.type === 'ip' ? 'IP' : n.type.toUpperCase()}:${n.value}`);
}

/** Whether `ca` issued `cert`: the issuer name matches the CA's subject and the CA's key verifies the signature. */
export async function issuedBy(cert: x509.X509Certificate, ca: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}

export async function inspectCert(pem: string, caPem: string | undefined, now: number): Promise<CertInfo> {
  const cert = parseCert(pem);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const notAfter = cert.notAfter.getTime();
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    sans: sansOf(cert),
    eku: [...(eku?.usages ?? [])].map((u) => EKU_NAMES[String(u)] ?? String(u)),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    // X.509 times have whole seconds: compare at that precision, so a fresh 90-day certificate shows 90
    daysLeft: Math.floor((notAfter - Math.floor(now / 1000) * 1000) / DAY_MS),
    expired: now > notAfter,
    notYetValid: now < cert.notBefore.getTime(),
    issuedByCa: caPem === undefined ? undefined : await issuedBy(cert, parseCert(caPem)),
  };
}
