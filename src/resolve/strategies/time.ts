import { type Json, NumberText } from '../json.ts';

/**
 * A timestamp field as a number to compare: numbers as they are (epoch ms or s: compare like with
 * like), strings as ISO dates (Date.parse) or numeric text. undefined when missing or unusable.
 */
export function toTime(v: Json | undefined): number | undefined {
  if (v instanceof NumberText) return toTime(Number(v.text));
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
