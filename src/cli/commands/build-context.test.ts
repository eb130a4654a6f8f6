import assert from 'node:assert/strict';
import { chmod, link, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildQuery } from '../../client/build.js';
import { encodeQuery } from '../../client/client.js';
import { readTar } from '../../lib/tar/read.js';
import { makeTar, tempDir } from '../../lib/tar/testing.js';
import {
  addDockerfileToContext,
  contextFromReader,
  isArchive,
  isGitUrl,
  packContextDir,
  prepareBuildContext,
  trimBuildFilesFromExcludes,
} from './build-context.js';
import { parseFlags } from '../flags.js';
import { buildArgsFrom, buildCommand, buildOptionsFrom, progressText } from './build.js';

interface Entry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
  content: string;
}

async function entriesOf(stream: Readable): Promise<Entry[]> {
  const reader = await readTar(stream);
  const out: Entry[] = [];
  for await (const entry of reader.entries()) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    const h = entry.header;
    out.push({
      name: h.name,
      type: h.type ?? 'file',
      mode: h.mode ?? 0,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
      linkname: h.linkname ?? undefined,
      content: Buffer.concat(chunks).toString(),
    });
  }
  return out;
}

const names = (entries: Entry[]) => entries.map((e) => e.name);
const stdinOf = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

async function withContext(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir('berth-build-ctx-');
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(tmp.path, name, '..'), { recursive: true });
      await writeFile(join(tmp.path, name), content);
    }
    await fn(tmp.path);
  } finally {
    await tmp.cleanup();
  }
}

test('a directory is packed with names in lexical order, modes, owners, mtimes and symlinks as symlinks', async () => {
  await withContext({ Dockerfile: 'FROM busybox\n', 'b/inner.txt': 'inner', 'a.sh': '#!/bin/sh\n' }, async (dir) => {
    await chmod(join(dir, 'a.sh'), 0o755);
    await chmod(join(dir, 'b'), 0o750);
    await utimes(join(dir, 'a.sh'), 1_600_000_000, 1_600_000_000);
    await symlink('/etc/passwd', join(dir, 'escape'));
    await symlink('b', join(dir, 'dirlink'));
    const entries = await entriesOf(packContextDir(dir));
    assert.deepEqual(names(entries), ['Dockerfile', 'a.sh', 'b/', 'b/inner.txt', 'dirlink', 'escape']);
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('a.sh')!.mode, 0o755);
    assert.equal(byName.get('a.sh')!.mtime, 1_600_000_000);
    assert.equal(byName.get('a.sh')!.uid, process.getuid!());
    assert.equal(byName.get('b/')!.type, 'directory');
    assert.equal(byName.get('b/')!.mode, 0o750);
    assert.equal(byName.get('b/inner.txt')!.content, 'inner');
    // Symlinks are sent as links and never followed, even when they point out of the context.
    assert.equal(byName.get('escape')!.type, 'symlink');
    assert.equal(byName.get('escape')!.linkname, '/etc/passwd');
    assert.equal(byName.get('escape')!.content, '');
    assert.equal(byName.get('dirlink')!.type, 'symlink');
    assert.equal(byName.get('dirlink')!.linkname, 'b');
  });
});

test('the owner option writes docker/cli\'s 0:0 for every entry; hardlinks are kept as links', async () => {
  await withContext({ Dockerfile: 'FROM busybox\n' }, async (dir) => {
    await link(join(dir, 'Dockerfile'), join(dir, 'same'));
    const entries = await entriesOf(packContextDir(dir, { owner: { uid: 0, gid: 0 } }));
    assert.ok(entries.every((e) => e.uid === 0 && e.gid === 0));
    const same = entries.find((e) => e.name === 'same')!;
    assert.equal(same.type, 'link');
    assert.equal(same.linkname, 'Dockerfile');
  });
});

test('.dockerignore is applied, but the Dockerfile and .dockerignore are always sent', async () => {
  const files = {
    Dockerfile: 'FROM busybox\n',
    '.dockerignore': 'Dockerfile\n.dockerignore\n*.log\nsecret\nnode_modules/\n',
    'app.js': 'x',
    'debug.log': 'noise',
    'secret/key': 'k',
    'node_modules/dep/index.js': 'y',
  };
  await withContext(files, async (dir) => {
    const prepared = await prepareBuildContext({ context: dir, dockerfile: '', stdin: stdinOf('') });
    assert.equal(prepared.dockerfile, 'Dockerfile');
    assert.deepEqual(names(await entriesOf(prepared.context)), ['.dockerignore', 'Dockerfile', 'app.js']);
  });
});

test('exceptions bring files back from inside an excluded directory', async () => {
  const files = { Dockerfile: 'FROM busybox\n', '.dockerignore': 'docs\n!docs/keep.md\n', 'docs/drop.md': 'd', 'docs/keep.md': 'k' };
  await withContext(files, async (dir) => {
    const prepared = await prepareBuildContext({ context: dir, dockerfile: '', stdin: stdinOf('') });
    assert.deepEqual(names(await entriesOf(prepared.context)), ['.dockerignore', 'Dockerfile', 'docs/keep.md']);
  });
});

test('trimBuildFilesFromExcludes adds exceptions only for what the patterns exclude', () => {
  assert.deepEqual(trimBuildFilesFromExcludes([], 'Dockerfile', false), []);
  assert.deepEqual(trimBuildFilesFromExcludes(['*.log'], 'Dockerfile', false), ['*.log']);
  assert.deepEqual(trimBuildFilesFromExcludes(['*'], 'sub/Dockerfile', false), ['*', '!.dockerignore', '!sub/Dockerfile']);
  assert.deepEqual(trimBuildFilesFromExcludes(['*'], '-', true), ['*', '!.dockerignore']);
});

test('-f inside the context is relative to the working directory and sent as its path in the context', async () => {
  await withContext({ 'sub/Dockerfile.dev': 'FROM busybox\n', 'x.txt': 'x' }, async (dir) => {
    const prepared = await prepareBuildContext({ context: dir, dockerfile: join(dir, 'sub/Dockerfile.dev'), stdin: stdinOf('') });
    assert.equal(prepared.dockerfile, 'sub/Dockerfile.dev');
    assert.deepEqual(names(await entriesOf(prepared.context)), ['sub/', 'sub/Dockerfile.dev', 'x.txt']);
  });
});

test('a Dockerfile outside the context is added as .dockerfile.<hex> and listed in .dockerignore', async () => {
  await withContext({ 'ctx/app.txt': 'a', 'other/Dockerfile': 'FROM busybox\nRUN true\n' }, async (dir) => {
    const prepared = await prepareBuildContext({ context: join(dir, 'ctx'), dockerfile: join(dir, 'other/Dockerfile'), stdin: stdinOf('') });
    assert.match(prepared.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
    const entries = await entriesOf(prepared.context);
    assert.deepEqual(names(entries), ['app.txt', prepared.dockerfile, '.dockerignore']);
    const added = entries[1];
    assert.equal(added.content, 'FROM busybox\nRUN true\n');
    assert.equal(added.mode, 0o600);
    assert.equal(entries[2].content, `.dockerignore\n${prepared.dockerfile}\n`);
  });
});

test('-f - takes the Dockerfile from stdin and appends its name to an existing .dockerignore', async () => {
  await withContext({ '.dockerignore': '*.tmp', 'a.tmp': 't', 'b.txt': 'b' }, async (dir) => {
    const prepared = await prepareBuildContext({ context: dir, dockerfile: '-', stdin: stdinOf('FROM scratch\n') });
    const entries = await entriesOf(prepared.context);
    assert.deepEqual(names(entries), ['.dockerignore', 'b.txt', prepared.dockerfile]);
    assert.equal(entries[0].content, `*.tmp\n${prepared.dockerfile}\n`);
    assert.equal(entries[2].content, 'FROM scratch\n');
  });
});

test('addDockerfileToContext accepts a compressed context', async () => {
  const tar = await makeTar([{ name: 'a.txt', content: 'a' }, { name: 'dir/' }]);
  const prepared = addDockerfileToContext(Buffer.from('FROM busybox\n'), stdinOf(gzipSync(tar)));
  assert.deepEqual(names(await entriesOf(prepared.context)), ['a.txt', 'dir/', prepared.dockerfile, '.dockerignore']);
});

test('stdin: a tar (plain or compressed) passes through, anything else is the Dockerfile', async () => {
  const tar = await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\n' }]);
  assert.equal(isArchive(tar), true);
  assert.equal(isArchive(gzipSync(tar)), true);
  assert.equal(isArchive(Buffer.from('FROM busybox\nRUN echo hi\n')), false);
  assert.equal(isArchive(Buffer.alloc(1024)), false);

  const passed = await contextFromReader(stdinOf(tar), '');
  assert.equal(passed.dockerfile, '');
  assert.deepEqual(names(await entriesOf(passed.context)), ['Dockerfile']);
  const named = await contextFromReader(stdinOf(tar), 'build/Dockerfile.ci');
  assert.equal(named.dockerfile, 'build/Dockerfile.ci');

  const alone = await contextFromReader(stdinOf('FROM busybox\n'), '');
  assert.equal(alone.dockerfile, 'Dockerfile');
  const entries = await entriesOf(alone.context);
  assert.deepEqual(names(entries), ['Dockerfile']);
  assert.equal(entries[0].content, 'FROM busybox\n');

  await assert.rejects(contextFromReader(stdinOf('FROM busybox\n'), '-'), /build context is not an archive/);
  await assert.rejects(contextFromReader(stdinOf('FROM busybox\n'), 'x'), /ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles/);
  await assert.rejects(prepareBuildContext({ context: '-', dockerfile: '-', stdin: stdinOf('') }), /can't use stdin for both build context and dockerfile/);
});

test('docker\'s context errors', async () => {
  await withContext({ 'Dockerfile.x': '', 'sub/keep': 'k' }, async (dir) => {
    await assert.rejects(prepareBuildContext({ context: join(dir, 'nope'), dockerfile: '', stdin: stdinOf('') }), { message: `path "${join(dir, 'nope')}" not found` });
    await assert.rejects(prepareBuildContext({ context: dir, dockerfile: join(dir, 'Dockerfile.x'), stdin: stdinOf('') }), { message: 'the Dockerfile (Dockerfile.x) cannot be empty' });
    await assert.rejects(prepareBuildContext({ context: join(dir, 'sub'), dockerfile: '', stdin: stdinOf('') }), {
      message: `unable to evaluate symlinks in Dockerfile path: lstat ${join(dir, 'sub', 'Dockerfile')}: no such file or directory`,
    });
    await assert.rejects(prepareBuildContext({ context: join(dir, 'Dockerfile.x'), dockerfile: '', stdin: stdinOf('') }), { message: `context must be a directory: ${join(dir, 'Dockerfile.x')}` });
    await assert.rejects(prepareBuildContext({ context: 'https://example.com/repo.git', dockerfile: '', stdin: stdinOf('') }), /git contexts are not supported/);
  });
  assert.equal(isGitUrl('git@github.com:moby/moby'), true);
  assert.equal(isGitUrl('https://example.com/ctx.tar.gz'), false);
});

test('POST /build query parameters as the Go client sends them', () => {
  const parsed = parseFlags(
    ['-t', 'app:1', '-t', 'app:latest', '--build-arg', 'A=1', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET_X', '--label', 'k=v', '--add-host', 'db:10.0.0.2',
      '--cache-from', 'a,b', '-m', '64m', '--memory-swap', '-1', '--ulimit', 'nofile=1024:2048', '--no-cache', '--rm=false', '--platform', 'Linux/AMD64', '.'],
    buildCommand.flags,
  );
  const options = buildOptionsFrom(parsed.flags, { FROM_ENV: 'env-value' });
  const query = buildQuery({ ...options, dockerfile: 'Dockerfile' });
  assert.deepEqual(query.t, ['app:1', 'app:latest']);
  assert.equal(query.buildargs, '{"A":"1","FROM_ENV":"env-value","UNSET_X":null}');
  assert.equal(query.labels, '{"k":"v"}');
  assert.equal(query.cachefrom, '["a","b"]');
  assert.deepEqual(query.extrahosts, ['db:10.0.0.2']);
  assert.equal(query.memory, String(64 * 1024 * 1024));
  assert.equal(query.memswap, '-1');
  assert.equal(query.ulimits, '[{"Name":"nofile","Hard":2048,"Soft":1024}]');
  assert.equal(query.nocache, '1');
  assert.equal(query.rm, '0');
  assert.equal(query.networkmode, 'default');
  assert.equal(query.platform, 'linux/amd64');
  assert.equal(query.q, undefined);
  assert.match(encodeQuery(query), /[?&]t=app%3A1&t=app%3Alatest&/);
  assert.deepEqual(buildArgsFrom(['X'], {}), { X: null });
});

test('flag validation with docker\'s messages', () => {
  assert.throws(() => parseFlags(['-t', 'Bad:Tag', '.'], buildCommand.flags), /invalid argument "Bad:Tag" for "-t, --tag" flag: invalid reference format/);
  assert.throws(() => parseFlags(['-t', 'x:', '.'], buildCommand.flags), /invalid argument "x:" for "-t, --tag" flag: invalid reference format/);
  assert.throws(() => parseFlags(['--add-host', 'nohost', '.'], buildCommand.flags), /bad format for add-host: "nohost"/);
  assert.throws(() => parseFlags(['--label', '=v', '.'], buildCommand.flags), /invalid label '=v': empty name/);
});

test('progress text is go-units HumanSize padded to 8, as docker\'s JSONProgress prints it', () => {
  assert.equal(progressText(2048, 0), ' 2.048kB');
  assert.equal(progressText(0, 0), '');
  assert.equal(progressText(500, 1000), `[${'='.repeat(25)}>${' '.repeat(25)}]     500B/1kB`);
});
