/**
 * The web page at / (and /ui): without --console, one self-contained HTML file
 * that browses the registry through its own /v2 API; with --console, the
 * console app (../console), which uses the management API instead.
 */
import { RegistryError } from '../errors.js';
import { sendJson, type Context } from '../http/context.js';
import { PAGE } from './page.js';
import { serveConsole } from '../console/static.js';

export async function serveUi(ctx: Context, consoleMode = false): Promise<void> {
  const path = ctx.path;
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') {
    throw new RegistryError('UNSUPPORTED', `${ctx.req.method} is not allowed here`, { status: 405 });
  }
  if (consoleMode) return serveConsole(ctx);
  if (path === '/ui/settings.json') return sendJson(ctx.res, 200, { deleteEnabled: ctx.registry.options.deleteEnabled });
  if (path !== '/' && path !== '/ui' && path !== '/ui/') throw new RegistryError('UNSUPPORTED', `no such page: ${path}`, { status: 404 });
  const body = Buffer.from(PAGE);
  ctx.res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
    // The page runs only its own inline script and talks only to this origin.
    'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
