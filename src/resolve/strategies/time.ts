import { type Json, NumberText } from '../json.ts';

/**
 * A timestamp field as a number to compare: numbers as they are (epoch ms or s: compare like with
 * like), strings as ISO dates (Date.parse) or numeric text. undefined when missing or unusable.
 */
export function toTime(v: Json | undefined): number | undefined {
  if (v instanceof NumberText) return toTime(Number(v.text));
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  // the common case, an ISO date (`2024-01-01T…`): a digit first and a `-` at 4 is never numeric text
  const c = v.charCodeAt(0);
  if (!(c >= 48 && c <= 57 && v.charCodeAt(4) === 45)) {
    const t = v.trim();
    if (t === '') return undefined;
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(v);
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
