/**
 * Bundles the berth CLI into one CommonJS file, dist/bundle/berth.cjs, that
 * bin/berth compiles with a V8 code cache (see bin/berth).
 *
 * One file rather than ES module chunks: Node's ES module loader resolves,
 * opens and compiles each chunk asynchronously, a waterfall of rounds per
 * command, and ES modules cannot use a code cache on Node 20. Laziness is kept:
 * every module reached through `import()` (each command, the API client) is
 * wrapped by esbuild and runs, with the built-ins it imports, only when that
 * import happens; V8 compiles a function only when it is first called.
 *
 * Beside the bundle, berth.json names its sha256: the key of the code cache,
 * since V8 itself checks only the source's length.
 *
 *   usage: node dist/scripts/bundle-cli.js [rootDir]
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const BUNDLE_FILE = 'dist/bundle/berth.cjs';
export const MANIFEST_FILE = 'dist/bundle/berth.json';

export async function bundleCli(root: string): Promise<{ file: string; sha256: string }> {
  const outfile = join(root, BUNDLE_FILE);
  await rm(join(root, 'dist/bundle'), { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // A third smaller: every command reads the whole file and hands it to V8.
    // Names are kept (error names, --debug stacks); only spaces and syntax shrink.
    minifyWhitespace: true,
    minifySyntax: true,
    // cp's createRequire(import.meta.url) finds node_modules from the bundle's own path.
    define: { 'import.meta.url': '__berthBundleUrl' },
    banner: { js: "const __berthBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const sha256 = createHash('sha256').update(await readFile(outfile)).digest('hex');
  await writeFile(join(root, MANIFEST_FILE), `${JSON.stringify({ file: 'berth.cjs', sha256 })}\n`);
  return { file: outfile, sha256 };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  bundleCli(process.argv[2] ?? '.').catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
