/**
 * Who may talk to the API. Bound to loopback, anyone on this machine (the dashboard in a local
 * browser); bound anywhere else, only holders of the bearer token: startApi refuses to listen on a
 * non-loopback address without one. The token is compared in constant time (digests of equal
 * length, `timingSafeEqual`) and never logged, echoed or put in an error.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { userError } from '../core/errors.ts';

/** Shorter tokens are refused: a guessable token on a network address is no protection. */
export const MIN_TOKEN_LENGTH = 16;

/** 127.0.0.0/8, ::1 and `localhost`: addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Throws a user error when the binding would expose the API without a usable token. */
export function checkBinding(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw userError(
      'E_API_TOKEN',
      `the API token is too short (${token.length} characters; at least ${MIN_TOKEN_LENGTH})`,
      'generate one with: openssl rand -hex 32',
    );
  if (!isLoopback(host) && token === undefined)
    throw userError(
      'E_API_TOKEN',
      `the HTTP API would listen on ${host}, reachable from other machines, without a token`,
      'give it a bearer token (at least 16 characters), or bind it to 127.0.0.1',
      { host },
    );
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` against the expected token, in time independent of either. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, digest(token)) && m !== null;
}

/**
 * DNS rebinding: a page from another site whose name resolves to 127.0.0.1 would otherwise reach a
 * loopback API with no token. A loopback API answers only requests addressed to a loopback name.
 */
export function hostAllowed(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.split(':')[0];
  return isLoopback(host ?? '');
}
