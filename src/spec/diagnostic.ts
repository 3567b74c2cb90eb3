/**
 * A problem found in a mesh file: where it is (file, 1-based line and column, the field's path),
 * what is wrong, what was expected and how to fix it. Validation collects every problem, it never
 * stops at the first one.
 */
export type Severity = 'error' | 'warning';

/** A field's path inside the mesh file: keys and list indexes (`['links', 3, 'between', 1]`). */
export type PathSeg = string | number;

export interface Diagnostic {
  severity: Severity;
  /** Stable code for programs (`E_UNKNOWN_NODE`, `W_CHECKPOINT_RANGE`, …). */
  code: string;
  file: string;
  line: number;
  column: number;
  /** `links[3].between[1]`; '' for the whole file. */
  path: string;
  message: string;
  expected?: string;
  hint?: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['links', 3, 'between', 1]` -> `links[3].between[1]`; odd keys are quoted (`nodes["a.b"]`). */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `mesh.yaml:12:7 links[3].between[1]: unknown node 'n9' — expected one of n1, n2 (hint: …)` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const severity = d.severity === 'warning' ? ' warning' : '';
  const path = d.path ? ` ${d.path}:` : '';
  const expected = d.expected ? ` — expected ${d.expected}` : '';
  const hint = d.hint ? ` (hint: ${d.hint})` : '';
  return `${where}${severity}${path} ${d.message}${expected}${hint}`;
}

export function countBySeverity(list: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const d of list) if (d.severity === 'error') errors++;
  return { errors, warnings: list.length - errors };
}

/** Source order (line, then column); stable for problems at the same place. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((x, y) => x.d.line - y.d.line || x.d.column - y.d.column || x.i - y.i)
    .map((x) => x.d);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
