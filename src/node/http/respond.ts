import type { ServerResponse } from 'node:http';
import { CouchHttpError } from '../engine/errors.ts';

export const SERVER_HEADER = 'CouchDB/3.5.0 (couchmesh embedded node)';

export function baseHeaders(extra?: Record<string, string>): Record<string, string> {
  return {
    'Cache-Control': 'must-revalidate',
    'Content-Type': 'application/json',
    Server: SERVER_HEADER,
    ...extra,
  };
}

/** Sends JSON; `body` may be pre-serialised text (doc bodies are spliced, not re-encoded). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const buf = Buffer.from(`${text}\n`);
  res.writeHead(status, baseHeaders({ 'Content-Length': String(buf.length), ...headers }));
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

export function sendError(res: ServerResponse, e: CouchHttpError): void {
  sendJson(res, e.status, { error: e.error, reason: e.reason }, e.headers);
}

export function methodNotAllowed(allowed: string): CouchHttpError {
  return new CouchHttpError(405, 'method_not_allowed', `Only ${allowed} allowed`, { Allow: allowed });
}
