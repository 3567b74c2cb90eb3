import type { ErrorCode, WarningCode } from '../core/codes.ts';
import { type Diagnostic, formatPath, type PathSeg, type Severity } from './diagnostic.ts';
import { locate, type MeshSource, positionOf } from './source.ts';

export interface ReportDetails {
  expected?: string;
  hint?: string;
  /** Point at the key of the field rather than its value (unknown or duplicate keys). */
  key?: boolean;
  /** Point at this byte offset instead of locating `path`. */
  offset?: number;
}

/** Collects diagnostics for one mesh file, locating each by its field path. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  constructor(readonly source: MeshSource) {}

  error(code: ErrorCode, path: readonly PathSeg[], message: string, details: ReportDetails = {}): void {
    this.add('error', code, path, message, details);
  }

  warning(code: WarningCode, path: readonly PathSeg[], message: string, details: ReportDetails = {}): void {
    this.add('warning', code, path, message, details);
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }

  /** Line of a field, for messages that point back at an earlier declaration. */
  lineOf(path: readonly PathSeg[]): number {
    return locate(this.source, path).line;
  }

  private add(
    severity: Severity,
    code: string,
    path: readonly PathSeg[],
    message: string,
    details: ReportDetails,
  ): void {
    const pos =
      details.offset === undefined
        ? locate(this.source, path, details.key)
        : positionOf(this.source, details.offset);
    const d: Diagnostic = {
      severity,
      code,
      file: this.source.file,
      line: pos.line,
      column: pos.column,
      path: formatPath(path),
      message,
    };
    if (details.expected) d.expected = details.expected;
    if (details.hint) d.hint = details.hint;
    this.list.push(d);
  }
}
