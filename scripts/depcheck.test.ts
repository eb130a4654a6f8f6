import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brokenRule, checkTree, formatViolation, importsOf, matchPattern } from './depcheck.js';

const DEPCHECK = join(dirname(fileURLToPath(import.meta.url)), 'depcheck.js');

/** A small tree that follows every rule. */
const CLEAN_TREE: Record<string, string> = {
  'src/lib/errors.ts': `export const x = 1;`,
  'src/lib/digest.ts': `import { x } from './errors.js';\nimport { createHash } from 'node:crypto';`,
  'src/platform/linux/mount.ts': `import { x } from '../../lib/errors.js';`,
  'src/engine/images/types.ts': `import type { Digest } from '../../lib/digest.js';`,
  'src/engine/images/store.ts': `import type { ImageStore } from './types.js';\nimport { x } from '../layers/types.js';`,
  'src/engine/layers/types.ts': `export interface Layer {}`,
  'src/engine/layers/overlay.ts': `import { mount } from '../../platform/linux/mount.js';`,
  'src/api/routes/images.ts': `import type { ImageStore } from '../../engine/images/types.js';`,
  'src/client/client.ts': `import { x } from '../lib/errors.js';`,
  'src/cli/main.ts': `const c = await import('../client/client.js');\n// import { s } from '../engine/images/store.js';`,
  'src/daemon/main.ts': `import { s } from '../engine/images/store.js';\nimport { r } from '../api/routes/images.js';`,
};

async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'depcheck-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function withTree(files: Record<string, string>, fn: (root: string) => Promise<void>): Promise<void> {
  const root = await makeTree(files);
  try {
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a clean tree passes, and the command exits 0', async () => {
  await withTree(CLEAN_TREE, async (root) => {
    assert.deepEqual(await checkTree(root), []);
    const { stdout } = await promisify(execFile)(process.execPath, [DEPCHECK, root]);
    assert.equal(stdout, '');
  });
});

test('each kind of violation is reported', async () => {
  const broken: Record<string, string> = {
    ...CLEAN_TREE,
    'src/lib/bad.ts': `import { c } from '../client/client.js';`,
    'src/platform/linux/bad.ts': `export * from '../../engine/layers/types.js';`,
    'src/engine/layers/bad.ts': `import { s } from '../images/store.js';`,
    'src/engine/images/bad.ts': `import type { R } from '../../api/routes/images.js';`,
    'src/cli/bad.ts': `import type { ImageStore } from '../engine/images/types.js';`,
    'src/api/bad.ts': `export { s } from '../engine/images/store.js';`,
    'src/engine/distribution/bad.ts': `const r = await import('../../registry/server.js');`,
    'src/registry/server.ts': `import { p } from '../engine/distribution/pull.js';`,
    'src/client/bad.ts': `import { r } from '../api/routes/images.js';`,
  };
  await withTree(broken, async (root) => {
    const found = (await checkTree(root)).map((v) => `${v.file} -> ${v.target}`);
    assert.deepEqual(found.sort(), [
      'src/api/bad.ts -> src/engine/images/store.ts',
      'src/cli/bad.ts -> src/engine/images/types.ts',
      'src/client/bad.ts -> src/api/routes/images.ts',
      'src/engine/distribution/bad.ts -> src/registry/server.ts',
      'src/engine/images/bad.ts -> src/api/routes/images.ts',
      'src/engine/layers/bad.ts -> src/engine/images/store.ts',
      'src/lib/bad.ts -> src/client/client.ts',
      'src/platform/linux/bad.ts -> src/engine/layers/types.ts',
      'src/registry/server.ts -> src/engine/distribution/pull.ts',
    ]);
  });
});

test('the command lists violations as "src/x.ts imports src/y.ts: rule" and exits 1', async () => {
  await withTree({ ...CLEAN_TREE, 'src/lib/bad.ts': `import { m } from '../platform/linux/mount.js';` }, async (root) => {
    const result = await promisify(execFile)(process.execPath, [DEPCHECK, root]).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout.trim(),
      'src/lib/bad.ts imports src/platform/linux/mount.ts: lib imports nothing of ours outside lib',
    );
  });
});

test('importsOf finds static, type, re-export, side-effect and dynamic imports, not comments or strings', () => {
  const source = [
    `import a, { b,\n  c } from './a.js';`,
    `import type { T } from "../t.js";`,
    `export * from './e.js';`,
    `export { q } from './q.js';`,
    `import './side.js';`,
    `const d = await import('./dyn.js');`,
    `// import { no } from './comment.js';`,
    `const s = "import x from './string.js'";`,
  ].join('\n');
  assert.deepEqual(importsOf(source), ['./a.js', '../t.js', './e.js', './q.js', './side.js', './dyn.js']);
});

test('patterns: *, ** and captured $segments', () => {
  assert.deepEqual(matchPattern('src/engine/$area/**', 'src/engine/images/x/y.ts'), { area: 'images' });
  assert.equal(matchPattern('src/engine/*/types.ts', 'src/engine/images/sub/types.ts'), undefined);
  assert.ok(matchPattern('src/engine/*/types.ts', 'src/engine/images/types.ts'));
  assert.ok(matchPattern('src/**', 'src/a.ts'));
  assert.equal(matchPattern('src/lib/**', 'src/library/x.ts'), undefined);
  assert.equal(brokenRule('src/engine/images/a.ts', 'src/engine/images/deep/b.ts'), undefined);
  assert.equal(brokenRule('src/unruled/a.ts', 'src/engine/images/store.ts'), undefined);
  assert.equal(
    formatViolation({ file: 'src/a.ts', target: 'src/b.ts', why: 'because' }),
    'src/a.ts imports src/b.ts: because',
  );
});
