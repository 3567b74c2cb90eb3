/**
 * `couchmesh certs`: the mesh PKI as operations. `certsInit` makes the mesh CA, `certsIssue` a node's
 * certificate (SANs from its URL in mesh.yaml unless hosts are given), `certsStatus` every node's
 * certificate state (days left on the injected clock, issuer checked against the CA).
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { userError } from '../core/errors.ts';
import {
  type CertsStatus,
  caPaths,
  folderStatus,
  initCa,
  isCertName,
  issueNode,
  type WrittenPair,
} from '../security/index.ts';
import { loadMeshFile, meshFilePath } from '../spec/load.ts';
import type { MeshSpec } from '../spec/types.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { MeshInvalidError } from './mesh.ts';

export type CertsDeps = Pick<MeshDeps, 'clock' | 'env'>;

export interface CertsWriteOptions {
  days?: number;
  force?: boolean;
}

export async function certsInit(dir: string, o: CertsWriteOptions, deps: CertsDeps): Promise<WrittenPair> {
  return initCa(dir, { ...o, now: clockOf(deps).now() });
}

/** The mesh of `file` (default: $COUCHMESH_FILE or ./mesh.yaml); an invalid one throws MeshInvalidError. */
export function loadCertsMesh(file: string | undefined, deps: CertsDeps): MeshSpec {
  const v = loadMeshFile(meshFilePath(file, deps.env), { env: deps.env, checkReferences: false });
  if (!v.ok || !v.spec) throw new MeshInvalidError(v);
  return v.spec;
}

/** The host of a node's URL, without IPv6 brackets: what its certificate must name. */
export const urlHost = (url: string): string => new URL(url).hostname.replace(/^\[|\]$/g, '');

export interface CertsIssueOptions extends CertsWriteOptions {
  /** host names / IPs for the SANs; default: the host of the node's URL in `spec` */
  hosts?: string[];
  spec?: MeshSpec;
}

export async function certsIssue(
  dir: string,
  node: string,
  o: CertsIssueOptions,
  deps: CertsDeps,
): Promise<WrittenPair> {
  let hosts = o.hosts ?? [];
  if (!hosts.length && o.spec) {
    const n = o.spec.nodes.find((x) => x.name === node);
    if (!n)
      throw userError(
        'E_CERTS_HOSTS',
        `no node '${node}' in the mesh`,
        `nodes: ${o.spec.nodes.map((x) => x.name).join(', ')}; or pass --host HOST`,
      );
    // a cluster's members answer couchmesh's requests too (mesh.yaml `members:`): one SAN each
    hosts = [...new Set([n.url, ...(n.members ?? [])].map(urlHost))];
  }
  return issueNode(dir, node, { hosts, now: clockOf(deps).now(), days: o.days, force: o.force });
}

/** Node names of the certificates in a folder (`NAME.pem` beside `NAME.key`, the CA aside). */
function namesInFolder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const ca = basename(caPaths(dir).cert);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pem') && f !== ca)
    .map((f) => f.slice(0, -'.pem'.length))
    .filter(isCertName)
    .sort();
}

/** Every node's certificate: the mesh's nodes when a spec is given (missing ones shown), else the folder's. */
export async function certsStatus(
  dir: string,
  spec: MeshSpec | undefined,
  deps: CertsDeps,
): Promise<CertsStatus> {
  const nodes = spec
    ? spec.nodes.map((n) => ({ name: n.name, host: urlHost(n.url) }))
    : namesInFolder(dir).map((name) => ({ name }));
  return folderStatus(dir, nodes, clockOf(deps).now());
}
