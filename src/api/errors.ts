/**
 * Errors as the API answers them: JSON `{error, reason}` like CouchDB's own (`{"error":"not_found",
 * "reason":"missing"}`), `error` one of the stable codes below, `reason` for people. A controller
 * command's `CouchmeshError` adds its registered `code` and `hint`; a bug answers 500 with no
 * stack and no message (it may quote anything).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type CouchmeshError, isCouchmeshError } from '../core/errors.ts';

/** Every `error` value the API sends (documented in openapi.ts). */
export const API_ERRORS = {
  bad_request: 400,
  confirm_required: 400,
  unauthorized: 401,
  forbidden_host: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  command_failed: 422,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ApiErrorName = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  error: ApiErrorName;
  reason: string;
  code?: string;
  hint?: string;
}

export function sendError(
  c: Context,
  error: ApiErrorName,
  reason: string,
  extra: Partial<ApiErrorBody> = {},
) {
  return c.json({ error, reason, ...extra } satisfies ApiErrorBody, API_ERRORS[error]);
}

/** Codes of a command's error that mean "no such thing" or "busy" rather than "it failed". */
const NOT_FOUND = new Set(['E_NO_SUCH_LINK', 'E_NO_SUCH_DB', 'E_NO_SUCH_DIRECTION', 'E_AUDIT_NOT_FOUND']);
const CONFLICT = new Set(['E_RECONCILE_BUSY']);

function commandError(e: CouchmeshError): { error: ApiErrorName; body: Partial<ApiErrorBody> } {
  const error = NOT_FOUND.has(e.code) ? 'not_found' : CONFLICT.has(e.code) ? 'conflict' : 'command_failed';
  return { error, body: { code: e.code, ...(e.hint ? { hint: e.hint } : {}) } };
}

/** The answer to anything a handler threw. */
export function errorResponse(c: Context, e: unknown) {
  if (isCouchmeshError(e) && e.kind === 'user') {
    const { error, body } = commandError(e);
    return sendError(c, error, e.message, body);
  }
  const code = isCouchmeshError(e) ? { code: e.code } : {};
  return sendError(c, 'internal', 'the controller failed to answer (a bug: see its log)', code);
}
