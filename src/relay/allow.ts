import { userError } from '../core/errors.ts';

/** A destination a relay may forward to: a host (name or IP, lowercased) and a port. */
export interface Destination {
  host: string;
  port: number;
}

/**
 * `--allow HOST:PORT,...`: the only destinations a relay forwards to. A relay open to anything is an
 * open proxy, so the default is deny: an empty list refuses every connection (with a hint naming the
 * flag). `HOST:*` allows every port of a host. IPv6 literals are written in brackets: `[::1]:5984`.
 */
export function parseAllow(spec: string | undefined): Destination[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5}|\*)$/.exec(entry);
      const port = m?.[2] === '*' ? 0 : Number(m?.[2]);
      if (!m || port > 65535)
        throw userError(
          'E_RELAY_ALLOW',
          `--allow expects HOST:PORT entries separated by commas, got '${entry}'`,
          'example: --allow 10.0.0.4:5984,db.example.org:6984 (HOST:* allows every port)',
        );
      return { host: normalHost(m[1] as string), port };
    });
}

const normalHost = (h: string) => h.replace(/^\[|\]$/g, '').toLowerCase();

/** Whether `dest` is on the allow list (port 0 in an entry: any port). */
export function isAllowed(allow: readonly Destination[], dest: Destination): boolean {
  const host = normalHost(dest.host);
  return allow.some((a) => a.host === host && (a.port === 0 || a.port === dest.port));
}

/** The destination of a CONNECT request's authority (`host:port`); undefined when malformed. */
export function parseAuthority(authority: string): Destination | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/]+):(\d{1,5})$/.exec(authority);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port <= 65535 ? { host: normalHost(m[1] as string), port } : undefined;
}

export const formatDestination = (d: Destination) =>
  `${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`;
