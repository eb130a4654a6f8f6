/**
 * The console's front end (dist/registry-console/, bundled by
 * scripts/bundle-registry-console.ts): `/` is its index.html, `/ui/assets/NAME`
 * its script, style and source map. No registry data is in them, so they are
 * served to anyone; the app logs in through /api/v1.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from '../errors.js';
import type { Context } from '../http/context.js';

/** dist/src/registry/console/static.js → dist/registry-console/ */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../registry-console/', import.meta.url));
export const ASSET_PREFIX = '/ui/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The file a path names, or undefined: only plain names of known types, nothing to climb out with. */
function fileFor(path: string, dir: string): string | undefined {
  if (path === '/' || path === '/ui' || path === '/ui/') return join(dir, 'index.html');
  if (!path.startsWith(ASSET_PREFIX)) return undefined;
  const name = path.slice(ASSET_PREFIX.length);
  if (name !== basename(name) || name.startsWith('.') || !CONTENT_TYPES[extname(name)]) return undefined;
  return join(dir, 'assets', name);
}

export async function serveConsole(ctx: Context, dir = CONSOLE_DIR): Promise<void> {
  const file = fileFor(ctx.path, dir);
  const body = file === undefined ? undefined : await readFile(file).catch(() => undefined);
  if (file === undefined || body === undefined) throw new RegistryError('UNSUPPORTED', `no such page: ${ctx.path}`, { status: 404 });
  ctx.res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)]!,
    'Content-Length': body.length,
    'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'max-age=300',
    // The app loads only its own files and talks only to this origin.
    'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
