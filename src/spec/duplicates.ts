import { isAlias, isMap, isSeq, type Node } from 'yaml';
import type { ErrorCode } from '../core/codes.ts';
import type { PathSeg } from './diagnostic.ts';
import type { DiagnosticSink } from './sink.ts';
import { scalarKey } from './source.ts';

const WHAT: Record<string, [code: ErrorCode, noun: string]> = {
  nodes: ['E_DUPLICATE_NODE', 'node name'],
  link_classes: ['E_DUPLICATE_LINK_CLASS', 'link class'],
};

/** Reports keys given twice in one mapping (YAML would silently keep the last one). */
export function checkDuplicateKeys(sink: DiagnosticSink): void {
  walk(sink.source.doc.contents, [], sink);
}

function walk(node: unknown, path: PathSeg[], sink: DiagnosticSink): void {
  if (isAlias(node) || !node) return;
  if (isMap(node)) {
    const first = new Map<string, number>();
    for (const pair of node.items) {
      const k = scalarKey(pair.key);
      if (k === undefined) continue;
      const keyNode = pair.key as Node;
      const at = keyNode.range?.[0] ?? 0;
      const seen = first.get(k);
      if (seen === undefined) {
        first.set(k, at);
        walk(pair.value, [...path, k], sink);
        continue;
      }
      const parent = path.length === 1 ? String(path[0]) : '';
      const [code, noun] = WHAT[parent] ?? ['E_DUPLICATE_KEY', 'key'];
      sink.error(code, [...path, k], `duplicate ${noun} '${k}'`, {
        offset: at,
        expected: `each ${noun} once`,
        hint: `first declared on line ${sink.source.lines.linePos(seen).line}; YAML would keep only the last one`,
      });
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) walk(item, [...path, i], sink);
  }
}
