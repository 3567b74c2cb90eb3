/**
 * CouchDB-shaped HTTP errors: `{error, reason}` with the status CouchDB uses. Every failure the
 * engine reports to a client is one of these; anything else that escapes a handler is a 500 bug.
 */
export class CouchHttpError extends Error {
  readonly status: number;
  readonly error: string;
  readonly reason: string;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, error: string, reason: string, headers?: Record<string, string>) {
    super(`${status} ${error}: ${reason}`);
    this.status = status;
    this.error = error;
    this.reason = reason;
    this.headers = headers;
  }
}

export const badRequest = (reason: string) => new CouchHttpError(400, 'bad_request', reason);
export const notFound = (reason = 'missing') => new CouchHttpError(404, 'not_found', reason);
export const conflict = () => new CouchHttpError(409, 'conflict', 'Document update conflict.');
export const forbidden = (reason: string) => new CouchHttpError(403, 'forbidden', reason);
export const unauthorized = (reason: string) => new CouchHttpError(401, 'unauthorized', reason);
export const dbNotFound = () => new CouchHttpError(404, 'not_found', 'Database does not exist.');
