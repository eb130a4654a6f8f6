import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildArgs, expansionEnv } from './args.js';
import { sameStepConfig } from './cache.js';
import { findSources, hashEntries, planEntries } from './copy-sources.js';
import { ShellLex } from './dockerfile/lex.js';
import { parseDockerfile } from './dockerfile/parser.js';
import type { Instruction } from './dockerfile/types.js';
import { applyMetadata, isMetadata, workdirOf, type MetadataState } from './metadata.js';

test('build args: --build-arg beats defaults, meta args reach a stage only when re-declared, ENV wins', () => {
  const args = new BuildArgs({ WHO: 'cli', HTTP_PROXY: 'http://p', UNUSED: 'x' });
  args.declareMeta('VERSION', '1.0');
  assert.deepEqual([...args.metaEnv()], [['VERSION', '1.0']]);
  args.beginStage();
  assert.deepEqual(args.allowed([]), [['HTTP_PROXY', 'http://p']], 'only builtin proxy args before any ARG');
  args.declare('WHO', 'default');
  args.declare('VERSION', undefined);
  assert.deepEqual(args.allowed(['WHO=env']), [['VERSION', '1.0'], ['HTTP_PROXY', 'http://p']]);
  assert.deepEqual(args.cachePrefix([]), ['|2', 'VERSION=1.0', 'WHO=cli'], 'undeclared proxy args stay out of the cache key');
  assert.deepEqual(args.unconsumed(), ['UNUSED']);
  assert.equal(expansionEnv(['WHO=env'], args.allowed([])).get('WHO'), 'env');
  args.beginStage();
  assert.deepEqual(args.cachePrefix([]), ['|0'], 'a new stage starts with nothing declared');
});

function applyAll(lines: string, state: MetadataState = { config: {}, author: '', cmdSet: false }): MetadataState {
  const lex = new ShellLex('\\');
  for (const ins of parseDockerfile(`FROM scratch\n${lines}`).stages[0]!.instructions as Instruction[]) {
    if (!isMetadata(ins)) throw new Error(`not metadata: ${ins.kind}`);
    applyMetadata(state, ins, { lex, env: new Map((state.config.Env ?? []).map((e) => e.split('=', 2) as [string, string])) });
  }
  return state;
}

test('metadata instructions change the config as Docker does', () => {
  const state = applyAll('ENV A=1\nENV B=$A-two\nCMD ["x"]\nENTRYPOINT ["e"]\nEXPOSE 80/udp 90-91\nSTOPSIGNAL 9\nSHELL ["/bin/bash", "-c"]\nCMD y');
  assert.deepEqual(state.config.Env, ['A=1', 'B=1-two']);
  assert.deepEqual(state.config.Cmd, ['/bin/bash', '-c', 'y']);
  assert.deepEqual(state.config.Entrypoint, ['e']);
  assert.deepEqual(Object.keys(state.config.ExposedPorts ?? {}), ['80/udp', '90/tcp', '91/tcp']);
  const inherited = applyAll('ENTRYPOINT ["only"]', { config: { Cmd: ['from-base'] }, author: '', cmdSet: false });
  assert.equal(inherited.config.Cmd, null, 'ENTRYPOINT drops an inherited CMD');
  assert.throws(() => applyAll('STOPSIGNAL SIGNOPE'), /Invalid signal: SIGNOPE/);
  assert.equal(workdirOf({ WorkingDir: '/a' }, 'b/../c'), '/a/c');
  assert.equal(workdirOf({}, 'rel'), '/rel');
});

test('step configs compare as moby does: empty equals absent, order of map keys does not matter', () => {
  assert.ok(sameStepConfig({ Cmd: ['a'], Env: [], Labels: { x: '1', y: '2' } }, { Cmd: ['a'], Labels: { y: '2', x: '1' } }));
  assert.ok(!sameStepConfig({ Cmd: ['a'] }, { Cmd: ['b'] }));
  assert.ok(!sameStepConfig(undefined, { Cmd: ['a'] }));
});

test('COPY sources: wildcards, symlinks resolved inside the root, hashes that see content and mode', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-copy-'));
  try {
    await mkdir(join(root, 'dir/sub'), { recursive: true });
    await writeFile(join(root, 'a.md'), 'a');
    await writeFile(join(root, 'b.md'), 'b');
    await writeFile(join(root, 'dir/sub/f'), 'f');
    await symlink('/dir', join(root, 'abs-link'));
    await symlink('/etc/passwd', join(root, 'out-link'));
    assert.deepEqual((await findSources(root, ['*.md'], 'COPY')).map((s) => s.name), ['a.md', 'b.md']);
    const viaLink = await findSources(root, ['abs-link/sub/f'], 'COPY');
    assert.equal(viaLink[0]!.hostPath, join(root, 'dir/sub/f'), 'an absolute link is followed inside the root');
    await assert.rejects(findSources(root, ['out-link'], 'COPY'), /file not found in build context/);
    await assert.rejects(findSources(root, ['../x'], 'COPY'), /forbidden path outside the build context/);
    await assert.rejects(findSources(root, ['*.none'], 'COPY'), /no source files were specified/);
    await assert.rejects(findSources(root, ['a.md'], 'COPY', ['a.md']), /file not found/, 'hidden files are not there');
    const [dir] = await findSources(root, ['dir'], 'COPY');
    const entries = await planEntries(dir!);
    assert.deepEqual(entries.map((e) => e.name), ['sub', 'sub/f']);
    const before = await hashEntries(entries);
    await writeFile(join(root, 'dir/sub/f'), 'g');
    assert.notEqual(await hashEntries(await planEntries((await findSources(root, ['dir'], 'COPY'))[0]!)), before);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
