/**
 * The dashboard's files (Vite's build in dist/web): served from one folder, never from a CDN. Paths
 * are resolved inside that folder only (no `..`, no absolute paths); any other GET that is not the
 * API answers index.html, so a reload on a dashboard URL works. Hashed assets are cached for a
 * year, index.html never (it names the current assets).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

/** src/api and dist/api both sit two levels below the package root; the build writes dist/web. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileIn(root: string, urlPath: string): Promise<string | null> {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  } catch {
    return null;
  }
  const file = resolve(root, rel);
  if (file !== root && !file.startsWith(root + sep)) return null;
  const s = await stat(file).catch(() => null);
  return s?.isFile() ? file : null;
}

export function staticHandler(webRoot: string) {
  const root = resolve(webRoot);
  return async (c: Context) => {
    const path = new URL(c.req.url).pathname;
    const file = (await fileIn(root, path)) ?? (await fileIn(root, 'index.html'));
    if (!file)
      return c.text(
        'The dashboard is not built: run `npm run build:web` (the JSON API is at /api/v1/).\n',
        503,
      );
    const body = await readFile(file);
    const immutable = file.startsWith(join(root, 'assets') + sep);
    c.header('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(body);
  };
}
