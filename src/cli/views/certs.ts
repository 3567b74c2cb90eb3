/** `couchmesh certs` output: what was written, and a line per node certificate for `status`. */
import type { CertsStatus, NodeCertStatus, WrittenPair } from '../../security/index.ts';

export function renderWritten(what: string, w: WrittenPair): string {
  return [
    `wrote ${what}: ${w.cert} and ${w.key} (key 0600)`,
    `  subject ${w.info.subject}${w.info.sans.length ? `, SANs ${w.info.sans.join(', ')}` : ''}`,
    `  valid until ${w.info.notAfter} (${w.info.daysLeft} days)`,
  ].join('\n');
}

const STATE_TEXT: Record<NodeCertStatus['state'], string> = {
  ok: 'ok',
  expiring: 'EXPIRING',
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT YET VALID',
  'wrong-ca': 'NOT FROM THE MESH CA',
  missing: 'missing',
};

function nodeLine(n: NodeCertStatus): string {
  if (!n.info) return `${n.node}  missing (${n.file})  fix: couchmesh certs issue ${n.node}`;
  const host = n.host && n.hostCovered === false ? `  host ${n.host} NOT in SANs` : '';
  return `${n.node}  ${STATE_TEXT[n.state]}  ${n.info.daysLeft} days left (until ${n.info.notAfter})  ${n.info.sans.join(', ')}${host}`;
}

export function renderCertsStatus(s: CertsStatus): string {
  const ca = s.ca
    ? `mesh CA ${s.ca.subject} in ${s.dir}: ${s.ca.daysLeft} days left (until ${s.ca.notAfter})`
    : `no mesh CA in ${s.dir} (couchmesh certs init)`;
  return [ca, ...s.nodes.map(nodeLine)].join('\n');
}
