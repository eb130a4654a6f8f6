/**
 * Bundles the registry console's front end (src/registry/console/web, Preact +
 * TSX; it shares the dashboard's generic table, notices, format helpers and base
 * style) into dist/registry-console/, which src/registry/console/static.ts
 * serves in --console mode. Type-checked by tsc on the web dir's tsconfig.json.
 *
 *   usage: node dist/scripts/bundle-registry-console.js [rootDir]
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const WEB = 'src/registry/console/web';
const OUT = 'dist/registry-console';

export async function bundleRegistryConsole(root: string): Promise<void> {
  const out = join(root, OUT);
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'assets'), { recursive: true });
  const options: esbuild.BuildOptions = {
    entryPoints: { app: join(root, WEB, 'app.tsx') },
    outdir: join(out, 'assets'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  };
  await esbuild.build(options);
  await copyFile(join(root, WEB, 'index.html'), join(out, 'index.html'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  bundleRegistryConsole(process.argv[2] ?? '.').catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
