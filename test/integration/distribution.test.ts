/**
 * berthd as a registry client against `berth registry serve` (no auth):
 * push and pull through the docker CLI and the berth CLI, by tag and by
 * digest, -a, platform selection from an index, HEAD-before-upload and
 * cross-repository mounts, tampered blobs, a pull resumed after failing,
 * run/create pulling a missing image, search, and Docker's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, TestDaemon } from './harness.js';
import { rawRequest, type RawReply } from './raw-api.js';
import { digestOf, TestRegistry } from './registry-harness.js';
import { pushRawImage, settle, tarOf } from './distribution-helpers.js';

/** Debian's static busybox (busybox-static), bind-mounted to read files in images that have no shell. */
const BUSYBOX = '/bin/busybox';

describe('pull and push with berth registry', () => {
  let daemon: TestDaemon;
  let registry: TestRegistry;
  let host: string;

  before(async () => {
    registry = await TestRegistry.start();
    host = registry.hostPort;
    daemon = await TestDaemon.start();
    const imported = daemon.docker(['import', await busyboxRootfs(), `${host}/bb:1.0`]);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('pushes with the docker CLI and prints the digest line', () => {
    const pushed = daemon.docker(['push', `${host}/bb:1.0`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, new RegExp(`The push refers to repository \\[${host}/bb\\]`));
    assert.match(pushed.stdout, /: Pushed/);
    assert.match(pushed.stdout, /1\.0: digest: sha256:[0-9a-f]{64} size: \d+/);
    const inspect = daemon.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', `${host}/bb:1.0`]);
    assert.match(inspect.stdout, new RegExp(`${host}/bb@sha256:`));
  });

  it('uploads only missing blobs: a second push finds every layer there', () => {
    const again = daemon.docker(['push', `${host}/bb:1.0`]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Layer already exists/);
    assert.doesNotMatch(again.stdout, /Pushed/);
  });

  it('mounts layers from another repository of the same registry', () => {
    assert.equal(daemon.docker(['tag', `${host}/bb:1.0`, `${host}/other/bb:2`]).code, 0);
    const pushed = daemon.berth(['push', `${host}/other/bb:2`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /Mounted from bb/);
    assert.match(pushed.stdout, /2: digest: sha256:/);
  });

  it('pulls by tag with per-layer progress, and runs the image', () => {
    assert.equal(daemon.docker(['rmi', `${host}/bb:1.0`, `${host}/other/bb:2`]).code, 0);
    const pulled = daemon.docker(['pull', `${host}/bb:1.0`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /1\.0: Pulling from bb/);
    assert.match(pulled.stdout, /[0-9a-f]{12}: Pull complete/);
    assert.match(pulled.stdout, /Digest: sha256:[0-9a-f]{64}/);
    assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${host}/bb:1.0`));
    const ran = daemon.docker(['run', '--rm', '--network', 'none', `${host}/bb:1.0`, 'echo', 'pulled and running']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, 'pulled and running\n');
    const again = daemon.berth(['pull', `${host}/bb:1.0`]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${host}/bb:1.0`));
    assert.match(again.stdout, new RegExp(`^${host}/bb:1.0$`, 'm'));
  });

  it('pulls by digest', () => {
    const digest = /sha256:[0-9a-f]{64}/.exec(daemon.docker(['image', 'inspect', '-f', '{{index .RepoDigests 0}}', `${host}/bb:1.0`]).stdout)![0];
    assert.equal(daemon.docker(['rmi', `${host}/bb:1.0`]).code, 0);
    const pulled = daemon.docker(['pull', `${host}/bb@${digest}`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${host}/bb@${digest}`));
    const listed = daemon.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']);
    assert.match(listed.stdout, new RegExp(`${host}/bb <none> ${digest}`));
  });

  it('lets the API\'s tag parameter replace a tag in fromImage, as dockerd does', async () => {
    const res = await apiOnNewConnection(daemon, 'POST', `/images/create?fromImage=${encodeURIComponent(`${host}/bb:other`)}&tag=1.0`);
    assert.equal(res.status, 200, res.body);
    assert.match(res.body, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${host}/bb:1\\.0`));
  });

  it('publishes pull and push events as dockerd names them', () => {
    const now = String(Math.ceil(Date.now() / 1000) + 1);
    const events = daemon.docker(['events', '--since', '0', '--until', now, '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}']);
    assert.equal(events.code, 0, events.stderr);
    assert.match(events.stdout, new RegExp(`^push ${host}/bb:1\\.0 ${host}/bb$`, 'm'));
    assert.match(events.stdout, new RegExp(`^pull ${host}/bb:1\\.0 ${host}/bb$`, 'm'));
  });

  it('pulls every tag with -a', async () => {
    const layer = await tarOf({ 'etc/tag-a': 'a\n' });
    await pushRawImage(registry, 'multi', 'a', [layer]);
    await pushRawImage(registry, 'multi', 'b', [layer, await tarOf({ 'etc/tag-b': 'b\n' })]);
    const pulled = daemon.docker(['pull', '-a', `${host}/multi`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /a: Pulling from multi/);
    assert.match(pulled.stdout, /b: Pulling from multi/);
    assert.match(pulled.stdout, /Already exists/);
    const tags = daemon.docker(['images', '--format', '{{.Tag}}', `${host}/multi`]).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(tags, ['a', 'b']);
  });

  it('two pulls sharing layers at the same time both succeed', async () => {
    const base = await tarOf({ 'etc/shared-base': 'base\n' });
    await pushRawImage(registry, 'together/one', '1', [base, await tarOf({ 'etc/one': '1\n' })]);
    await pushRawImage(registry, 'together/two', '1', [base, await tarOf({ 'etc/two': '2\n' })]);
    const results = await Promise.all([`${host}/together/one:1`, `${host}/together/two:1`].map((ref) => dockerAsync(daemon, ['pull', ref])));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.equal(daemon.docker(['image', 'inspect', `${host}/together/one:1`, `${host}/together/two:1`]).code, 0);
  });

  it('picks the platform from an index: the host by default, or --platform', async () => {
    const amd = await pushRawImage(registry, 'multiarch', 'amd64-only', [await tarOf({ 'etc/arch': 'amd64\n' })]);
    const arm = await pushRawImage(registry, 'multiarch', 'arm64-only', [await tarOf({ 'etc/arch': 'arm64\n' })], { architecture: 'arm64', variant: 'v8' });
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: arm.manifestDigest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: amd.manifestDigest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }));
    const put = await registry.request('PUT', '/v2/multiarch/manifests/latest', { headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, body: index });
    assert.equal(put.status, 201);
    const pulled = daemon.docker(['pull', `${host}/multiarch`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(daemon.docker(['image', 'inspect', '-f', '{{.Id}} {{.Architecture}}', `${host}/multiarch`]).stdout.trim(), `${amd.configDigest} amd64`);
    assert.match(pulled.stdout, new RegExp(`Digest: ${digestOf(index)}`));
    const arm64 = daemon.berth(['pull', '--platform', 'linux/arm64', `${host}/multiarch:latest`]);
    assert.equal(arm64.code, 0, arm64.stderr);
    assert.equal(daemon.docker(['image', 'inspect', '-f', '{{.Id}} {{.Architecture}}', `${host}/multiarch`]).stdout.trim(), `${arm.configDigest} arm64`);
    const none = daemon.docker(['pull', '--platform', 'linux/s390x', `${host}/multiarch`]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  it('pulls uncompressed and zstd layers too', async () => {
    const plain = { compress: (tar: Buffer) => tar, mediaType: 'application/vnd.oci.image.layer.v1.tar' };
    const zstd = { compress: (tar: Buffer) => execFileSync('zstd', ['-q', '-c'], { input: tar }), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
    await pushRawImage(registry, 'forms', '1', [await tarOf({ 'etc/plain': 'plain\n' }), await tarOf({ 'etc/zstd': 'zstd\n' })], {}, [plain, zstd]);
    const pulled = daemon.docker(['pull', `${host}/forms:1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const both = daemon.docker(['run', '--rm', '--network', 'none', '-v', `${BUSYBOX}:/busybox:ro`, `${host}/forms:1`, '/busybox', 'cat', '/etc/plain', '/etc/zstd']);
    assert.equal(both.stdout, 'plain\nzstd\n', both.stderr);
  });

  it('refuses a manifest that is not what its digest says', async () => {
    const pushed = await pushRawImage(registry, 'badmanifest', '1', [await tarOf({ 'etc/x': 'x\n' })]);
    await overwriteBlob(registry, pushed.manifestDigest, Buffer.from('{"schemaVersion": 2, "garbage": true}'));
    const pulled = daemon.docker(['pull', `${host}/badmanifest:1`]);
    assert.equal(pulled.code, 1);
    assert.match(pulled.stderr, new RegExp(`manifest verification failed for digest ${pushed.manifestDigest}|failed to parse manifest`));
    assert.equal(daemon.docker(['image', 'inspect', pushed.configDigest]).code, 1);
  });

  it('refuses a tampered blob and keeps nothing of it', async () => {
    const tar = await tarOf({ 'etc/tampered': 'original\n' });
    const pushed = await pushRawImage(registry, 'tampered', 'x', [tar]);
    await overwriteBlob(registry, pushed.layerDigests[0]!, (await import('node:zlib')).gzipSync(await tarOf({ 'etc/tampered': 'evil!!!!\n' })));
    const pulled = daemon.docker(['pull', `${host}/tampered:x`]);
    assert.notEqual(pulled.code, 0);
    assert.match(pulled.stderr, new RegExp(`filesystem layer verification failed for digest ${pushed.layerDigests[0]}`));
    assert.equal(daemon.docker(['image', 'inspect', `${host}/tampered:x`]).code, 1);
    assert.equal(daemon.docker(['image', 'inspect', pushed.configDigest]).code, 1);
    await assert.rejects(readFile(join(daemon.dataRoot, 'content', 'blobs', 'sha256', digestOf(tar).slice(7))));
  });

  it('an interrupted pull leaves no image and resumes from the layers already verified', async () => {
    const first = await tarOf({ 'etc/first': 'first layer\n' });
    const second = await tarOf({ 'etc/second': 'second layer\n' });
    const pushed = await pushRawImage(registry, 'resume', 'x', [first, second]);
    const saved = await moveBlobAside(registry, pushed.layerDigests[1]!);
    const failed = daemon.docker(['pull', `${host}/resume:x`]);
    assert.notEqual(failed.code, 0);
    assert.equal(daemon.docker(['image', 'inspect', `${host}/resume:x`]).code, 1);
    await saved.restore();
    await settle();
    const before = countBlobGets(registry, pushed.layerDigests[0]!);
    assert.equal(before, 1, 'the first layer was downloaded by the failed pull');
    const resumed = daemon.docker(['pull', `${host}/resume:x`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    await settle();
    assert.equal(countBlobGets(registry, pushed.layerDigests[0]!), before, 'the first layer was downloaded again');
    assert.equal(countBlobGets(registry, pushed.layerDigests[1]!) > 0, true);
    const cat = daemon.docker(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/cat', `${host}/bb@${await bbDigest()}`, '/etc/passwd']);
    assert.equal(cat.code, 0, cat.stderr);
  });

  it('keeps each layer once and gives its exact tar back: save matches the registry, save→load→save and push→pull keep bytes and IDs', async () => {
    // GNU tar's own output (padded to a 10 KiB record), and a tar that writes a path twice and whites out one of its own files.
    const gnu = gnuTar({ 'etc/motd': 'hello\n', 'usr/bin/tool': 'x'.repeat(5000) });
    const rewritten = await entriesTar([['etc/motd', 'first\n'], ['etc/motd', 'second, longer\n'], ['gone', 'soon gone'], ['.wh.gone', ''], ['kept', 'kept']]);
    const pushed = await pushRawImage(registry, 'exact', 'x', [gnu, rewritten]);
    assert.equal(daemon.docker(['pull', `${host}/exact:x`]).code, 0);
    for (const tar of [gnu, rewritten]) {
      await assert.rejects(readFile(join(daemon.dataRoot, 'content', 'blobs', 'sha256', digestOf(tar).slice(7))), 'no tar blob is stored');
    }
    const saved = join(daemon.dataRoot, '..', 'exact-1.tar');
    assert.equal(daemon.docker(['save', '-o', saved, `${host}/exact:x`]).code, 0);
    const first = await readFile(saved);
    for (const tar of [gnu, rewritten]) assert.ok(archiveFile(first, `blobs/sha256/${digestOf(tar).slice(7)}`).equals(tar), 'save gives the registry\'s layer tar');
    const other = await TestDaemon.start();
    try {
      assert.equal(other.docker(['load', '-i', saved]).code, 0);
      assert.equal(other.docker(['image', 'inspect', '-f', '{{.Id}}', `${host}/exact:x`]).stdout.trim(), pushed.configDigest);
      const again = join(other.dataRoot, '..', 'exact-2.tar');
      assert.equal(other.docker(['save', '-o', again, `${host}/exact:x`]).code, 0);
      assert.ok((await readFile(again)).equals(first), 'save → load → save gives the same bytes');
      assert.equal(other.docker(['tag', `${host}/exact:x`, `${host}/exact-copy:y`]).code, 0);
      assert.equal(other.docker(['push', `${host}/exact-copy:y`]).code, 0);
    } finally {
      await other.stop();
    }
    assert.equal(daemon.docker(['rmi', `${host}/exact:x`]).code, 0);
    assert.equal(daemon.docker(['pull', `${host}/exact-copy:y`]).code, 0);
    assert.equal(daemon.docker(['image', 'inspect', '-f', '{{.Id}}', `${host}/exact-copy:y`]).stdout.trim(), pushed.configDigest);
    const cat = daemon.docker(['run', '--rm', '--network', 'none', '-v', `${BUSYBOX}:/busybox:ro`, '--entrypoint', '/busybox', `${host}/exact-copy:y`, 'cat', '/etc/motd', '/kept']);
    assert.equal(cat.stdout, 'second, longer\nkept', cat.stderr);
    daemon.docker(['rmi', `${host}/exact-copy:y`]);
  });

  it('run and create pull a missing image first, as docker does', () => {
    daemon.docker(['rmi', '-f', `${host}/bb:1.0`]);
    for (const ref of [...daemon.docker(['images', '-q', `${host}/bb`]).stdout.split('\n').filter(Boolean)]) daemon.docker(['rmi', '-f', ref]);
    const ran = daemon.docker(['run', '--rm', '--network', 'none', `${host}/bb:1.0`, 'echo', 'ok']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, new RegExp(`Unable to find image '${host}/bb:1.0' locally`));
    assert.match(ran.stderr, /Pull complete|Already exists/);
    assert.equal(ran.stdout, 'ok\n');
    assert.equal(daemon.berth(['rmi', `${host}/bb:1.0`]).code, 0);
    const created = daemon.berth(['create', '--network', 'none', `${host}/bb:1.0`, 'true']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, new RegExp(`Unable to find image '${host}/bb:1.0' locally`));
  });

  it("gives Docker's errors for an unknown tag, an unknown repository and an unreachable registry", () => {
    const tag = daemon.docker(['pull', `${host}/bb:nope`]);
    assert.equal(tag.code, 1);
    assert.match(tag.stderr, new RegExp(`manifest for ${host}/bb:nope not found: manifest unknown`));
    const repo = daemon.berth(['pull', `${host}/nothing-here`]);
    assert.equal(repo.code, 1);
    assert.match(repo.stderr, /Error response from daemon: (repository|manifest for) .*not found/);
    const down = daemon.docker(['pull', '127.0.0.1:1/x']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /connection refused/);
  });

  it('builds FROM an image that is not here by pulling it, and pulls again with --pull', () => {
    daemon.docker(['rmi', '-f', `${host}/bb:1.0`]);
    const dockerfile = `FROM ${host}/bb:1.0\nRUN echo built > /built\n`;
    const built = daemon.dockerBuild(['--network', 'none', '-t', 'from-registry', '-'], dockerfile);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /Pull complete|Already exists/);
    assert.match(built.stdout, /Successfully tagged from-registry:latest/);
    const again = daemon.dockerBuild(['--pull', '--network', 'none', '-t', 'from-registry', '-'], dockerfile);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${host}/bb:1.0`));
  });

  it('searches the registry with both CLIs', () => {
    const found = daemon.docker(['search', `${host}/multi`]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL/);
    assert.match(found.stdout, /multiarch/);
    const limited = daemon.berth(['search', '--limit', '1', '--format', '{{.Name}}', `${host}/multi`]);
    assert.equal(limited.code, 0, limited.stderr);
    assert.equal(limited.stdout.trim().split('\n').length, 1);
    const official = daemon.berth(['search', '--filter', 'is-official=true', `${host}/multi`]);
    assert.equal(official.stdout.trim(), 'NAME      DESCRIPTION   STARS     OFFICIAL');
    const bad = daemon.docker(['search', '--limit', '500', `${host}/multi`]);
    assert.match(bad.stderr, /limit 500 is outside the range of \[1, 100\]/);
  });

  async function bbDigest(): Promise<string> {
    const res = await registry.request('HEAD', '/v2/bb/manifests/1.0', { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    return String(res.headers['docker-content-digest']);
  }
});

/** A tar made by GNU tar from files in a temp dir. */
function gnuTar(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'berth-gnutar-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return execFileSync('tar', ['-c', '--format=gnu', '--owner=0', '--group=0', '--mtime=@0', '-C', dir, '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tar of entries in order (names may repeat). */
async function entriesTar(entries: [string, string][]): Promise<Buffer> {
  const { default: tar } = await import('tar-stream');
  const pack = tar.pack();
  for (const [name, content] of entries) pack.entry({ name, mtime: new Date(0), mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One file's bytes from an uncompressed tar archive (ustar names, as save writes them). */
function archiveFile(archive: Buffer, wanted: string): Buffer {
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const header = archive.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === '') break;
    if (name === wanted) return archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the archive`);
}

/** The registry's file holding a blob's bytes (berth registry keeps them under blobs/). */
async function blobFile(registry: TestRegistry, digest: string): Promise<string> {
  const found = execFileSync('find', [join(registry.root, 'blobs'), '-path', `*${digest.slice(7)}*`, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (found.length !== 1) throw new Error(`expected one file for ${digest}, found ${found.join(', ')}`);
  return found[0]!;
}

async function overwriteBlob(registry: TestRegistry, digest: string, bytes: Buffer): Promise<void> {
  await writeFile(await blobFile(registry, digest), bytes);
}

async function moveBlobAside(registry: TestRegistry, digest: string): Promise<{ restore(): Promise<void> }> {
  const file = await blobFile(registry, digest);
  const original = await readFile(file);
  // Same length, other bytes: the registry serves it, the digest check refuses it.
  await writeFile(file, Buffer.alloc(original.length, 0x1f));
  return { restore: () => writeFile(file, original) };
}

/**
 * A raw API call on a connection of its own: the harness's api() reuses kept-alive
 * sockets, which berthd closes after 5 idle seconds while spawnSync blocks us.
 */
function apiOnNewConnection(daemon: TestDaemon, method: string, path: string): Promise<RawReply> {
  return rawRequest(daemon.socket, method, path);
}

/** The docker CLI without blocking the event loop, for commands that must overlap. */
function dockerAsync(daemon: TestDaemon, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(DOCKER_CLI!, ['-H', daemon.host, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function countBlobGets(registry: TestRegistry, digest: string): number {
  return registry.log().split('\n').filter((line) => line.includes('GET') && line.includes(`/blobs/${digest}`)).length;
}

