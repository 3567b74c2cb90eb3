/**
 * The mesh PKI over a certificate folder: make the CA, issue a node's certificate, report every
 * certificate's state. The time is given (the caller's Clock), so expiry is testable on a ManualClock.
 */
import { userError } from '../core/errors.ts';
import { caPaths, nodePaths, readCa, readPemIfAny, writePair } from './files.ts';
import { type CertInfo, inspectCert } from './inspect.ts';
import { createCa, issueCert } from './pki.ts';

/** CouchDB's docs and most meshes renew yearly; a CA outlives its node certificates. */
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_NODE_DAYS = 365;
/** A certificate closer than this to its end is reported as expiring (doctor's 30-day check). */
export const EXPIRING_DAYS = 30;

export interface WrittenPair {
  cert: string;
  key: string;
  info: CertInfo;
}

function checkDays(days: number): number {
  if (!Number.isInteger(days) || days <= 0)
    throw userError('E_CERTS_DAYS', `--days expects a positive whole number, got ${days}`);
  return days;
}

export async function initCa(
  dir: string,
  o: { now: number; days?: number; force?: boolean },
): Promise<WrittenPair> {
  const pair = await createCa({ now: o.now, days: checkDays(o.days ?? DEFAULT_CA_DAYS) });
  const paths = caPaths(dir);
  writePair(dir, paths, pair, o.force === true);
  return { ...paths, info: await inspectCert(pair.certPem, pair.certPem, o.now) };
}

export async function issueNode(
  dir: string,
  node: string,
  o: { hosts: readonly string[]; now: number; days?: number; force?: boolean },
): Promise<WrittenPair> {
  const paths = nodePaths(dir, node);
  if (!o.hosts.length)
    throw userError(
      'E_CERTS_HOSTS',
      `no host name or address to put in ${node}'s certificate`,
      'pass --host HOST',
    );
  const ca = readCa(dir);
  const pair = await issueCert(ca, {
    commonName: node,
    hosts: o.hosts,
    now: o.now,
    days: checkDays(o.days ?? DEFAULT_NODE_DAYS),
  });
  writePair(dir, paths, pair, o.force === true);
  return { ...paths, info: await inspectCert(pair.certPem, ca.certPem, o.now) };
}

export type CertState = 'ok' | 'expiring' | 'expired' | 'not-yet-valid' | 'wrong-ca' | 'missing';

export interface NodeCertStatus {
  node: string;
  file: string;
  state: CertState;
  info?: CertInfo;
  /** the host of the node's URL, when a mesh was given, and whether a SAN covers it */
  host?: string;
  hostCovered?: boolean;
}

export interface CertsStatus {
  dir: string;
  ca?: CertInfo;
  nodes: NodeCertStatus[];
}

function stateOf(info: CertInfo): CertState {
  if (info.issuedByCa === false) return 'wrong-ca';
  if (info.expired) return 'expired';
  if (info.notYetValid) return 'not-yet-valid';
  return info.daysLeft < EXPIRING_DAYS ? 'expiring' : 'ok';
}

const sanHost = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * Every node's certificate in the folder: `nodes` (name + URL host, from the mesh) lists the ones
 * expected, a missing one included; without it, the `*.pem` files of the folder.
 */
export async function folderStatus(
  dir: string,
  nodes: ReadonlyArray<{ name: string; host?: string }>,
  now: number,
): Promise<CertsStatus> {
  const caPem = readPemIfAny(caPaths(dir).cert);
  const out: CertsStatus = { dir, nodes: [] };
  if (caPem) out.ca = await inspectCert(caPem, caPem, now);
  for (const n of nodes) {
    const file = nodePaths(dir, n.name).cert;
    const pem = readPemIfAny(file);
    const row: NodeCertStatus = { node: n.name, file, state: 'missing', ...(n.host ? { host: n.host } : {}) };
    if (pem) {
      row.info = await inspectCert(pem, caPem, now);
      row.state = stateOf(row.info);
      if (n.host)
        row.hostCovered = row.info.sans.some(
          (s) => sanHost(s.slice(s.indexOf(':') + 1)) === sanHost(n.host as string),
        );
    }
    out.nodes.push(row);
  }
  return out;
}
