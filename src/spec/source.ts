import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Diagnostic, PathSeg } from './diagnostic.ts';

/** A parsed mesh file: the YAML document (with node ranges) and what maps offsets to lines. */
export interface MeshSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface Position {
  line: number;
  column: number;
}

/** Parses YAML text, turning syntax errors and YAML warnings into diagnostics. */
export function parseMeshSource(text: string, file: string): { source: MeshSource; problems: Diagnostic[] } {
  const lines = new LineCounter();
  // uniqueKeys off: duplicate keys are reported by us, with the names of what is duplicated.
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: false,
    merge: true,
    prettyErrors: false,
  });
  const source: MeshSource = { file, text, doc, lines };
  const problems: Diagnostic[] = [];
  for (const [severity, list] of [
    ['error', doc.errors],
    ['warning', doc.warnings],
  ] as const) {
    for (const e of list) {
      const { line, column } = positionOf(source, e.pos[0]);
      problems.push({
        severity,
        code: severity === 'error' ? 'E_YAML_SYNTAX' : 'W_YAML',
        file,
        line,
        column,
        path: '',
        ...describeYamlProblem(e.code, severity, e.message),
      });
    }
  }
  return { source, problems };
}

function describeYamlProblem(
  code: string,
  severity: string,
  message: string,
): { message: string; hint?: string } {
  if (code === 'MULTIPLE_DOCS')
    return { message: 'the file holds several YAML documents (---)', hint: 'keep one mesh per file' };
  return {
    message: `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${firstLine(message)}`,
    hint:
      severity === 'error' ? 'check indentation, colons and closing brackets around this spot' : undefined,
  };
}

/** Only the first line, without yaml's own " at line X, column Y" (we report the position ourselves). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}

export function positionOf(source: MeshSource, offset: number): Position {
  const p = source.lines.linePos(Math.max(0, Math.min(offset, source.text.length)));
  return { line: p.line, column: p.col };
}

function deref(source: MeshSource, node: unknown): unknown {
  return isAlias(node) ? node.resolve(source.doc) : node;
}

export function scalarKey(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

/**
 * Byte offset of the field at `path`: its value, or its key when `key` is set (for unknown and
 * duplicate keys). Walks as deep as the document goes, so a missing field points at its parent.
 */
export function offsetOf(source: MeshSource, path: readonly PathSeg[], key = false): number {
  let node = deref(source, source.doc.contents);
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => scalarKey(p.key) === String(seg));
      if (!pair) break;
      const keyStart = (pair.key as Node | null)?.range?.[0];
      if (last && key && keyStart !== undefined) return keyStart;
      node = deref(source, pair.value);
      const start = (node as Node | null)?.range?.[0];
      offset = start ?? keyStart ?? offset;
      if (start === undefined) break;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = deref(source, node.items[seg]);
      const start = (node as Node | null)?.range?.[0];
      if (start === undefined) break;
      offset = start;
    } else break;
  }
  return offset;
}

export function locate(source: MeshSource, path: readonly PathSeg[], key = false): Position {
  return positionOf(source, offsetOf(source, path, key));
}
