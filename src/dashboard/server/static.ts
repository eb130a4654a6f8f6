/**
 * The front end's files (dist/dashboard/, made by scripts/bundle-dashboard.ts).
 * They hold no engine data, so they are served without a session: the app
 * itself shows the login page.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';

/** dist/src/dashboard/server/static.js → dist/dashboard/ */
export const ASSETS_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** Serves `/` as DIR/index.html and `/assets/NAME` as DIR/assets/NAME; false when the path is none of those. */
export async function serveStatic(path: string, res: ServerResponse, dir = ASSETS_DIR): Promise<boolean> {
  const isIndex = path === '/' || path === '/index.html';
  const name = isIndex ? 'index.html' : path.startsWith('/assets/') ? path.slice('/assets/'.length) : undefined;
  // Only plain file names: no directories, no dot files, nothing to climb out with.
  if (name === undefined || name !== basename(name) || name.startsWith('.')) return false;
  const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
  const type = TYPES[ext];
  if (!type) return false;
  let body: Buffer;
  try {
    body = await readFile(isIndex ? join(dir, name) : join(dir, 'assets', name));
  } catch {
    return false;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': name === 'index.html' ? 'no-cache' : 'max-age=300' });
  res.end(body);
  return true;
}
