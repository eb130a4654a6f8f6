import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import tar from 'tar-stream';
import { tmpdir } from 'node:os';
import { busyboxRootfs, DOCKER_CLI, readJson, ROOT, run, TestDaemon } from './harness.js';

interface FixtureFacts {
  images: { ref: string; id: string; repoTags: string[]; size: number; rootfsLayers: string[]; config: Record<string, unknown> }[];
  ociLayout?: { ref: string; configDigest: string };
}

const FIXTURES = join(ROOT, 'test', 'fixtures');

/**
 * A two-layer archive in dockerd's legacy layout (`<id>/json`, `<id>/layer.tar`, then
 * the config and manifest.json), with random file contents so its layers are new. The
 * second layer's json names no parent (a lie): it is extracted as a base layer first.
 */
async function legacyArchive(): Promise<{ entries: { name: string; body: string | Buffer }[]; diffIds: string[]; config: Buffer }> {
  const tars = [await tarOf([{ name: 'a', body: randomBytes(4096) }]), await tarOf([{ name: 'b', body: randomBytes(4096) }])];
  const diffIds = tars.map((t) => `sha256:${createHash('sha256').update(t).digest('hex')}`);
  const ids = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const entries = [
    { name: `${ids[0]}/json`, body: JSON.stringify({ id: ids[0] }) },
    { name: `${ids[0]}/layer.tar`, body: tars[0]! },
    { name: `${ids[1]}/json`, body: JSON.stringify({ id: ids[1] }) },
    { name: `${ids[1]}/layer.tar`, body: tars[1]! },
    { name: configName, body: config },
    { name: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: ['streamed:1'], Layers: ids.map((id) => `${id}/layer.tar`) }]) },
  ];
  return { entries, diffIds, config };
}

/** A small tar built in memory, for archives the tests craft on purpose. */
async function tarOf(entries: { name: string; body: string | Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name }, Buffer.from(entry.body));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('images through the API, the berth CLI and the docker CLI', () => {
  let daemon: TestDaemon;
  let scratch: string;
  let facts: FixtureFacts;

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-img-'));
    facts = await readJson<FixtureFacts>(join(FIXTURES, 'dockerd-20.10-save.json'));
  });
  after(async () => {
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('ping, version and info answer with real facts', async () => {
    const ping = await daemon.api('GET', '/_ping');
    assert.equal(ping.body, 'OK');
    assert.equal(ping.headers['api-version'], '1.45');
    const info = JSON.parse((await daemon.api('GET', '/v1.45/info')).body);
    assert.equal(info.DockerRootDir, daemon.dataRoot);
    assert.match(info.Driver, /^(overlay2|vfs)$/);
    assert.ok(info.NCPU >= 1 && info.MemTotal > 0);
    const tooNew = await daemon.api('GET', '/v1.99/version');
    assert.equal(tooNew.status, 400);
    assert.match(JSON.parse(tooNew.body).message, /client version 1.99 is too new/);
    // dockerd 20.10's minimum is 1.12; errors below 1.24 are plain text.
    const tooOld = await daemon.api('GET', '/v1.11/version');
    assert.deepEqual([tooOld.status, tooOld.body], [400, 'client version 1.11 is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version\n']);
    assert.equal((await daemon.api('GET', '/v1.12/version')).status, 200);
    const v = daemon.berth(['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(v.stdout.trim(), '1.45', v.stderr);
  });

  test('import makes a busybox image that lists, inspects and has history', async () => {
    const tar = await busyboxRootfs();
    const imported = daemon.berth(['import', '-c', 'CMD ["sh"]', '-m', 'from busybox-static', tar, 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout.trim(), /^sha256:[a-f0-9]{64}$/);
    const id = imported.stdout.trim();

    const images = daemon.berth(['images']);
    assert.match(images.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
    assert.match(images.stdout, new RegExp(`busybox\\s+latest\\s+${id.slice(7, 19)}\\s+.+ago\\s+\\d+(\\.\\d+)?MB`));
    assert.equal(daemon.berth(['image', 'inspect', '-f', '{{.Config.Cmd}}', 'busybox']).stdout.trim(), '[sh]');
    assert.equal(daemon.berth(['image', 'inspect', '-f', '{{.Comment}}', 'busybox']).stdout.trim(), 'from busybox-static');
    const history = daemon.berth(['history', '--format', '{{.ID}} {{.Comment}}', 'busybox']);
    assert.equal(history.stdout.trim(), `${id.slice(7, 19)} from busybox-static`);
  });

  test('import streams into a layer: a truncated tarball is a clear error and leaves no layer, temp dir or blob', async () => {
    const layersRoot = join(daemon.dataRoot, 'layers');
    const blobs = join(daemon.dataRoot, 'content', 'blobs', 'sha256');
    const before = (await readdir(layersRoot)).sort();
    const blobsBefore = (await readdir(blobs)).sort();
    const whole = gzipSync(await readFile(await busyboxRootfs()));
    const truncated = whole.subarray(0, whole.length >> 1);
    const res = await daemon.apiRaw('POST', '/v1.45/images/create?fromSrc=-&repo=truncated', truncated, 'application/x-tar');
    // As dockerd: nothing was written before the failure, so it is the request's HTTP error.
    assert.deepEqual([res.status, JSON.parse(res.body)], [400, { message: 'error extracting layer: unexpected end of file' }]);
    assert.deepEqual((await readdir(layersRoot)).sort(), before, 'no layer and no .tmp- directory stays');
    assert.deepEqual((await readdir(blobs)).sort(), blobsBefore, 'no staged blob');
    assert.equal(daemon.berth(['image', 'inspect', 'truncated']).code, 1);
  });

  test('tag and rmi follow Docker: untag while other names remain, delete with the last', () => {
    assert.equal(daemon.berth(['tag', 'busybox', 'example.com:5000/team/bb:1']).code, 0);
    assert.equal(daemon.berth(['tag', 'busybox', 'bb2']).code, 0);
    const byId = daemon.berth(['image', 'inspect', '-f', '{{.Id}}', 'bb2']).stdout.trim();
    const refused = daemon.berth(['rmi', byId.slice(7, 19)]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /conflict: unable to delete [a-f0-9]{12} \(must be forced\) - image is referenced in multiple repositories/);
    const untag = daemon.berth(['rmi', 'example.com:5000/team/bb:1']);
    assert.equal(untag.stdout, 'Untagged: example.com:5000/team/bb:1\n');
    const untag2 = daemon.berth(['rmi', 'bb2']);
    assert.equal(untag2.stdout, 'Untagged: bb2:latest\n');
    assert.match(daemon.berth(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout, /^busybox:latest$/m);
    const missing = daemon.berth(['rmi', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error response from daemon: No such image: nosuch:latest/);
    const bad = daemon.berth(['tag', 'busybox', 'Bad/Name']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid reference format/);
  });

  test('loads a tarball saved by dockerd 20.10 with the same image IDs and sizes', () => {
    const load = daemon.berth(['load', '-i', join(FIXTURES, 'dockerd-20.10-save.tar')]);
    assert.equal(load.code, 0, load.stderr);
    for (const image of facts.images) {
      assert.match(load.stdout, new RegExp(`Loaded image: ${image.ref.replace(/[.]/g, '\\.')}`));
      const inspect = JSON.parse(daemon.berth(['image', 'inspect', image.ref]).stdout)[0];
      assert.equal(inspect.Id, image.id);
      assert.deepEqual(inspect.RootFS.Layers, image.rootfsLayers);
      assert.equal(inspect.Size, image.size, `size of ${image.ref}`);
      for (const [key, value] of Object.entries(image.config)) assert.deepEqual(inspect.Config[key] ?? null, value ?? null, `Config.${key}`);
    }
  });

  test('loads an OCI image layout archive (gzip layers) made by skopeo', () => {
    const load = daemon.berth(['load', '-i', join(FIXTURES, 'oci-layout.tar')]);
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, new RegExp(`Loaded image: ${facts.ociLayout!.ref.replace(/[.]/g, '\\.')}`));
    assert.equal(daemon.berth(['image', 'inspect', '-f', '{{.Id}}', facts.ociLayout!.ref]).stdout.trim(), facts.ociLayout!.configDigest);
  });

  test('save then load into a fresh daemon keeps IDs; the tar has manifest.json, repositories and index.json', async () => {
    const out = join(scratch, 'saved.tar');
    const save = daemon.berth(['save', '-o', out, 'berth-fixture:1.0', 'busybox']);
    assert.equal(save.code, 0, save.stderr);
    const listing = run('tar', ['tf', out]).stdout.split('\n');
    for (const name of ['manifest.json', 'repositories', 'index.json', 'oci-layout']) assert.ok(listing.includes(name), `${name} in tar`);
    const other = await TestDaemon.start();
    try {
      const load = other.berth(['load', '-i', out]);
      assert.equal(load.code, 0, load.stderr);
      for (const ref of ['berth-fixture:1.0', 'busybox:latest']) {
        assert.equal(
          other.berth(['image', 'inspect', '-f', '{{.Id}}', ref]).stdout,
          daemon.berth(['image', 'inspect', '-f', '{{.Id}}', ref]).stdout,
        );
      }
    } finally {
      await other.stop();
    }
  });

  test('the real docker CLI drives berthd', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
    assert.match(daemon.docker(['version', '--format', '{{.Server.APIVersion}}']).stdout, /^1\.45$/m);
    const info = daemon.docker(['info', '--format', '{{.Images}} {{.Driver}}']);
    assert.equal(info.code, 0, info.stderr);
    const images = daemon.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    assert.match(images.stdout, /^busybox:latest [a-f0-9]{12}$/m);
    assert.equal(daemon.docker(['tag', 'busybox', 'viadocker:1']).code, 0);
    assert.equal(daemon.docker(['image', 'inspect', '-f', '{{.Config.Cmd}}', 'viadocker:1']).stdout.trim(), '[sh]');
    const hist = daemon.docker(['history', 'berth-fixture:1.0']);
    assert.equal(hist.code, 0, hist.stderr);
    assert.match(hist.stdout, /IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
    const out = join(scratch, 'docker-saved.tar');
    assert.equal(daemon.docker(['save', '-o', out, 'viadocker:1']).code, 0);
    const rmi = daemon.docker(['rmi', 'viadocker:1']);
    assert.equal(rmi.stdout, 'Untagged: viadocker:1\n');
    const load = daemon.docker(['load', '-i', out]);
    assert.match(load.stdout, /Loaded image: viadocker:1/);
  });

  test('import from a URL, filters, and image prune', async () => {
    // The CLI runs synchronously, so the server must live in another process.
    const server = spawn(process.execPath, ['-e', `
      const body = require('fs').readFileSync(process.argv[1]);
      const s = require('http').createServer((q, r) => r.end(body)).listen(0, '127.0.0.1', () => console.log(s.address().port));
    `, await busyboxRootfs()], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<string>((r) => server.stdout!.once('data', (d: Buffer) => r(d.toString().trim())));
      const url = `http://127.0.0.1:${port}/rootfs.tar`;
      const imported = daemon.berth(['import', '-c', 'LABEL stage=url', url]);
      assert.equal(imported.code, 0, imported.stderr);
      const id = imported.stdout.trim();
      assert.equal(daemon.berth(['history', '--format', '{{.Comment}}', id]).stdout.trim(), `Imported from ${url}`);
      const dangling = daemon.berth(['images', '-q', '--no-trunc', '--filter', 'dangling=true']);
      assert.ok(dangling.stdout.split('\n').includes(id), dangling.stdout);
      const labelled = daemon.berth(['images', '-q', '--no-trunc', '--filter', 'label=stage=url']);
      assert.equal(labelled.stdout.trim(), id);
      assert.equal(daemon.berth(['images', '--format', '{{.Repository}}', '--filter', 'reference=busy*']).stdout.trim(), 'busybox');
      const prune = daemon.berth(['image', 'prune', '-f']);
      assert.equal(prune.code, 0, prune.stderr);
      assert.match(prune.stdout, new RegExp(`Deleted Images:\n(.*\n)*deleted: ${id}`));
      assert.match(prune.stdout, /Total reclaimed space: /);
      assert.equal(daemon.berth(['image', 'inspect', id]).code, 1);
      assert.match(daemon.berth(['images']).stdout, /^busybox\s+latest/m, 'tagged images survive a dangling prune');
    } finally {
      server.kill();
    }
  });

  test('load streams legacy layers into the layer store: a lying parent link still loads right, an archive ending before its manifest leaves nothing', async () => {
    const layersRoot = join(daemon.dataRoot, 'layers');
    const blobs = join(daemon.dataRoot, 'content', 'blobs', 'sha256');
    const layersBefore = (await readdir(layersRoot)).sort();
    const blobsBefore = (await readdir(blobs)).sort();
    const { entries, diffIds, config } = await legacyArchive();
    const truncated = await tarOf(entries.filter((e) => !e.name.endsWith('.json') || e.name.includes('/')));
    const cut = daemon.berth(['load'], truncated);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /invalid archive: no manifest.json/);
    assert.deepEqual((await readdir(layersRoot)).sort(), layersBefore, 'no streamed layer stays');
    assert.deepEqual((await readdir(blobs)).sort(), blobsBefore, 'no staged blob');

    const load = daemon.berth(['load'], await tarOf(entries));
    assert.equal(load.code, 0, load.stderr);
    const inspect = JSON.parse(daemon.berth(['image', 'inspect', 'streamed:1']).stdout)[0];
    assert.equal(inspect.Id, `sha256:${createHash('sha256').update(config).digest('hex')}`);
    assert.deepEqual(inspect.RootFS.Layers, diffIds);
    const chain2 = createHash('sha256').update(`${diffIds[0]} ${diffIds[1]}`).digest('hex');
    const added = (await readdir(layersRoot)).filter((name) => !layersBefore.includes(name)).sort();
    assert.deepEqual(added, [diffIds[0]!.slice(7), chain2].sort(), 'the layer made on the wrong parent is gone');
    assert.equal(daemon.berth(['rmi', 'streamed:1']).code, 0);
  });

  test('a hostile layer in a load archive is refused and nothing is kept', async () => {
    const layer = await tarOf([{ name: '../../escaped', body: 'pwned' }]);
    const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } }));
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
    const archive = await tarOf([
      { name: 'manifest.json', body: JSON.stringify([{ Config: configName, RepoTags: ['hostile:1'], Layers: ['l/layer.tar'] }]) },
      { name: configName, body: config },
      { name: 'l/layer.tar', body: layer },
    ]);
    const load = daemon.berth(['load'], archive);
    assert.equal(load.code, 1);
    assert.match(load.stderr, /escapes|outside|invalid/i);
    assert.equal(daemon.berth(['image', 'inspect', 'hostile:1']).code, 1);
    await assert.rejects(stat(join(daemon.dataRoot, '..', 'escaped')));
    await assert.rejects(stat(join(daemon.dataRoot, 'escaped')));
  });

  test('bad input gets clear errors and changes nothing', async () => {
    const before = await readdir(join(daemon.dataRoot, 'content', 'blobs', 'sha256'));
    const garbage = join(scratch, 'garbage.tar');
    await writeFile(garbage, Buffer.alloc(4096, 7));
    const load = daemon.berth(['load', '-i', garbage]);
    assert.notEqual(load.code, 0);
    assert.match(load.stderr, /invalid/i);
    const json = await daemon.api('POST', '/images/busybox/tag?repo=x&tag=' + encodeURIComponent('bad tag'));
    assert.equal(json.status, 400);
    const filters = await daemon.api('GET', '/images/json?filters=' + encodeURIComponent('{not json'));
    assert.equal(filters.status, 400);
    assert.deepEqual(await readdir(join(daemon.dataRoot, 'content', 'blobs', 'sha256')), before);
    const unknown = daemon.berth(['images', '--bogus']);
    assert.equal(unknown.code, 125);
  });
});
