import { relative, resolve } from 'node:path';

/** The file as the user would type it (relative to the working directory when below it). */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel && !rel.startsWith('..') ? rel : file;
}
