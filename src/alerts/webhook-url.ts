/** How a webhook URL is checked and shown: never with credentials, never with its query. */
import { userError } from '../core/errors.ts';

/** The URL as shown in messages: origin + path, no query (tokens often live there), no userinfo. */
export const displayUrl = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

/**
 * A webhook URL with `user:password@` is refused: fetch-style clients (undici) drop userinfo, so the
 * credentials were never sent, and a password on the command line is seen by `ps` and shell history.
 */
export function refuseUserinfo(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return; // not a URL: the schema reports it
  }
  if (u.username || u.password)
    throw userError(
      'E_WEBHOOK_CREDENTIALS',
      `webhook URL ${displayUrl(url)} carries credentials in its userinfo (user:password@); they would never be sent`,
      "remove 'user:password@' from the URL and pass a header from a reference instead: --webhook-header 'Authorization=env:HOOK_AUTH'",
    );
}
