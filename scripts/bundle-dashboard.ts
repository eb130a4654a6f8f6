/**
 * Bundles the dashboard's front end (src/dashboard/web, Preact + TSX) into
 * dist/dashboard/: index.html, and assets/app.js with assets/app.css. The
 * server (src/dashboard/server/static.ts) serves these files. esbuild does
 * not type-check: the Makefile runs tsc on src/dashboard/web/tsconfig.json.
 *
 *   usage: node dist/scripts/bundle-dashboard.js [rootDir]
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const DASHBOARD_DIR = 'dist/dashboard';

export async function bundleDashboard(root: string): Promise<string> {
  const out = join(root, DASHBOARD_DIR);
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: join(root, 'src/dashboard/web/app.tsx') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: true,
    outdir: join(out, 'assets'),
    logLevel: 'warning',
  });
  await copyFile(join(root, 'src/dashboard/web/index.html'), join(out, 'index.html'));
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  bundleDashboard(process.argv[2] ?? '.').catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
