// The mesh PKI and TLS material (SECURITY): certificates, the certificate folder, TLS checks.
export {
  type CertState,
  type CertsStatus,
  DEFAULT_CA_DAYS,
  DEFAULT_NODE_DAYS,
  EXPIRING_DAYS,
  folderStatus,
  initCa,
  issueNode,
  type NodeCertStatus,
  type WrittenPair,
} from './certs.ts';
export { checkClientCert, clientTlsFor } from './client-tls.ts';
export { caPaths, isCertName, nodePaths } from './files.ts';
export { type CertInfo, inspectCert, issuedBy, parseCert } from './inspect.ts';
export { type CertPair, createCa, issueCert, sanNames } from './pki.ts';
