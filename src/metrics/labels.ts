/**
 * Label values that can be trusted not to leak: a label is stored by every Prometheus that scrapes
 * it, so nothing secret may reach one. URL userinfo is masked, a query string or fragment (where
 * tokens live) is cut, control characters dropped, and the value capped (a label is an identity,
 * not a message).
 */
import { maskUrlUserinfo } from '../core/redact.ts';

const MAX = 120;

export function safeLabel(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const masked = maskUrlUserinfo(String(value));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
  const cut = masked.replace(/[?#].*$/s, '').replace(/[\x00-\x1f\x7f]/g, '');
  return cut.length > MAX ? `${cut.slice(0, MAX - 1)}…` : cut;
}
