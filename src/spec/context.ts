import { isAbsolute, join } from 'node:path';
import type { DiagnosticSink } from './sink.ts';

/** How credential and TLS references are checked (the pure validator never reads process.env or disk). */
export interface ReferenceChecks {
  env: Readonly<Record<string, string | undefined>>;
  fileExists(path: string): boolean;
  /** A file's mode bits and size, and whether we may read it (undefined: missing); absent = exists only. */
  fileStat?(path: string): { readable: boolean; mode: number; size: number } | undefined;
  /** false: leave the replication users' passwords unchecked (status, doctor: they do not use them) */
  replicationUsers?: boolean;
}

export interface ValidateOptions {
  /** Name shown in diagnostics (default `mesh.yaml`). */
  file?: string;
  /** Folder that relative file references are resolved against (default: none, kept as written). */
  baseDir?: string;
  /** When given, env vars named by `password_env` must be set and referenced files must exist. */
  references?: ReferenceChecks;
}

export interface ResolveContext {
  sink: DiagnosticSink;
  baseDir?: string;
  references?: ReferenceChecks;
}

export function resolvePath(ctx: ResolveContext, p: string): string {
  return ctx.baseDir === undefined || isAbsolute(p) ? p : join(ctx.baseDir, p);
}
