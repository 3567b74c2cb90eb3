/**
 * Which failures say something about a node, and may be reported as "node unreachable" (plan) or an
 * unreachable snapshot (poller): the couch client's network failures (refused, reset, DNS, timeout,
 * TLS), HTTP error answers, and answers that are not CouchDB's (a protocol error, a telemetry body
 * of the wrong shape). Of these, 401/403 mean the node answered and refused our credentials: the
 * planner's observation records them as `refused` rather than unreachable (observe.ts). Anything else — a TypeError, a closed client, an option mistake, an abort —
 * is not the node's doing: it is a bug (or a cancellation) and propagates with its stack, as
 * CouchDB's own replicator lets a `badarg` crash the job instead of calling the peer down.
 */
import { type CouchmeshError, isCouchmeshError } from '../core/errors.ts';
import { CouchErrorCode, isCouchError } from '../couch/errors.ts';

const NODE_CODES = new Set<string>([
  CouchErrorCode.UNREACHABLE,
  CouchErrorCode.TIMEOUT,
  CouchErrorCode.TLS,
  CouchErrorCode.PROTOCOL,
  CouchErrorCode.HTTP,
  CouchErrorCode.AUTH,
  CouchErrorCode.FORBIDDEN,
  CouchErrorCode.NOT_FOUND,
  CouchErrorCode.CONFLICT,
]);

/** The telemetry parsers' code for a body of the wrong shape (observe/parse.ts). */
const SHAPE = 'E_TELEMETRY_SHAPE';

export function isNodeFailure(e: unknown): e is CouchmeshError {
  if (isCouchError(e)) return NODE_CODES.has(e.code);
  return isCouchmeshError(e) && e.code === SHAPE;
}
