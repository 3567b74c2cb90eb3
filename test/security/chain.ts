// Test support: a certificate chain deeper than the mesh PKI makes (root -> N intermediate CAs ->
// leaf), for `[replicator] ssl_certificate_max_depth`. The mesh CA (src/security/pki.ts) signs node
// certificates directly; nothing in couchmesh issues intermediates, so this lives with the tests.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const { subtle } = webcrypto;
x509.cryptoProvider.set(webcrypto as never);
const EC = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN = { name: 'ECDSA', hash: 'SHA-256' };

type Keys = webcrypto.CryptoKeyPair;
interface Issued {
  cert: x509.X509Certificate;
  keys: Keys;
}

async function make(name: string, issuer: Issued | undefined, ca: boolean, ip?: string): Promise<Issued> {
  const keys = (await subtle.generateKey(EC, true, ['sign', 'verify'])) as Keys;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString('hex')
      .replace(/^./, '1'),
    subject: `CN=${name}`,
    issuer: issuer ? issuer.cert.subject : `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey: (issuer ?? { keys }).keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(ca, undefined, true),
      new x509.KeyUsagesExtension(
        ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      ...(ip
        ? [
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
            new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: ip }]),
          ]
        : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/**
 * A root CA, `depth` intermediate CAs under it, and a server certificate for 127.0.0.1 at the bottom.
 * `chainPem`: the leaf then its intermediates (what a server sends); `rootPem`: what a client trusts.
 */
export async function deepChain(
  depth: number,
): Promise<{ rootPem: string; chainPem: string; keyPem: string }> {
  const root = await make('test root CA', undefined, true);
  let issuer = root;
  const intermediates: Issued[] = [];
  for (let i = 1; i <= depth; i++) {
    issuer = await make(`test intermediate CA ${i}`, issuer, true);
    intermediates.unshift(issuer);
  }
  const leaf = await make('deep leaf', issuer, false, '127.0.0.1');
  const key = await subtle.exportKey('pkcs8', leaf.keys.privateKey);
  return {
    rootPem: root.cert.toString('pem'),
    chainPem: [leaf, ...intermediates].map((c) => c.cert.toString('pem')).join('\n'),
    keyPem: x509.PemConverter.encode(key, 'PRIVATE KEY'),
  };
}
