/**
 * `berth registry serve` configured the ways the seed notes do it (REGISTRY_*
 * environment, a YAML file), with TLS, and `berth registry gc`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { ROOT, run } from './harness.js';
import { basicAuth, digestOf, makeLoopbackCertificate, TestRegistry } from './registry-harness.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('registry configuration, TLS and gc', () => {
  let dir: string;
  const running: TestRegistry[] = [];
  const start = async (args: string[], env: Record<string, string> = {}) => {
    const reg = await TestRegistry.start(args, env);
    running.push(reg);
    return reg;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-registry-config-'));
    await writeFile(join(dir, 'htpasswd'), `testuser:${bcrypt.hashSync('testpassword', 5)}\n`);
  });
  after(async () => {
    for (const reg of running) await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes htpasswd auth from REGISTRY_AUTH* variables, with the realm in the challenge', async () => {
    const reg = await start([], {
      REGISTRY_AUTH: 'htpasswd',
      REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
      REGISTRY_AUTH_HTPASSWD_PATH: join(dir, 'htpasswd'),
    });
    const anonymous = await reg.request('GET', '/v2/');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="Registry Realm"');
    assert.equal(anonymous.json().errors[0].code, 'UNAUTHORIZED');
    const wrong = await reg.request('GET', '/v2/', { headers: { Authorization: basicAuth('testuser', 'nope') } });
    assert.equal(wrong.status, 401);
    const unknownUser = await reg.request('GET', '/v2/_catalog', { headers: { Authorization: basicAuth('nobody', 'testpassword') } });
    assert.equal(unknownUser.status, 401);
    const ok = await reg.request('GET', '/v2/', { headers: { Authorization: basicAuth('testuser', 'testpassword') } });
    assert.equal(ok.status, 200);
    assert.equal((await reg.request('GET', '/v1/search?q=x')).status, 401, 'search needs auth too');
    assert.equal((await reg.request('GET', '/debug/health')).status, 200, 'health does not');
    assert.match(await reg.waitForLog(/ testuser \[/), / testuser \[/, 'the access log names the user');
  });

  it('reads a YAML config file in distribution\'s format', async () => {
    const root = join(dir, 'yaml-root');
    const config = join(dir, 'config.yml');
    await writeFile(config, [
      'version: 0.1',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${root}`,
      '  delete:',
      '    enabled: true',
      'http:',
      '  addr: 127.0.0.1:0',
      'auth:',
      '  htpasswd:',
      '    realm: yaml realm',
      `    path: ${join(dir, 'htpasswd')}`,
    ].join('\n'));
    const reg = await start([config]);
    const auth = { Authorization: basicAuth('testuser', 'testpassword') };
    assert.equal((await reg.request('GET', '/v2/')).headers['www-authenticate'], 'Basic realm="yaml realm"');
    const image = await reg.pushImage('yaml/app', 'v1', { headers: auth });
    assert.equal((await reg.request('DELETE', `/v2/yaml/app/manifests/${image.digest}`, { headers: auth })).status, 202, 'deletes enabled by the file');
    assert.ok((await readdir(join(root, 'blobs', 'sha256'))).includes(image.layerDigest.slice(7)), 'stored under the configured root');
  });

  it('fails to start on a bad setting, saying which', () => {
    const bad = run(process.execPath, [join(ROOT, 'bin', 'berth'), 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', join(dir, 'x'), '--bogus']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown flag or argument: --bogus/);
    const env = run('env', ['REGISTRY_STORAGE_S3_BUCKET=x', process.execPath, join(ROOT, 'bin', 'berth'), 'registry', 'serve', '--root', join(dir, 'x')]);
    assert.equal(env.code, 1);
    assert.match(env.stderr, /REGISTRY_STORAGE_S3_BUCKET: unknown setting "storage\.s3\.bucket"/);
    const htpasswd = run(process.execPath, [join(ROOT, 'bin', 'berth'), 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', join(dir, 'x'), '--htpasswd', join(dir, 'missing')]);
    assert.equal(htpasswd.code, 1);
    assert.match(htpasswd.stderr, /htpasswd file .*missing/);
    const root = run(process.execPath, [join(ROOT, 'bin', 'berth'), 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', join(dir, 'htpasswd', 'under-a-file')]);
    assert.equal(root.code, 1);
    assert.match(root.stderr, /^berth registry: cannot use storage root .*under-a-file: /);
  });

  it('serves HTTPS with --tls-cert/--tls-key, basic auth over it', async () => {
    const { cert, key } = makeLoopbackCertificate(dir);
    const reg = await start(['--tls-cert', cert, '--tls-key', key, '--htpasswd', join(dir, 'htpasswd')]);
    assert.match(reg.url, /^https:\/\//);
    const ca = await readFile(cert);
    assert.equal((await reg.request('GET', '/v2/', { ca })).status, 401);
    const ok = await reg.request('GET', '/v2/', { ca, headers: { Authorization: basicAuth('testuser', 'testpassword') } });
    assert.equal(ok.status, 200);
    const curl = run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', cert, '-u', 'testuser:testpassword', `${reg.url}/v2/`]);
    assert.equal(curl.stdout, '200');
  });

  it('finishes an upload in flight on SIGTERM, then exits 0 and refuses new connections', async () => {
    const reg = await start([]);
    const start202 = await reg.request('POST', '/v2/graceful/app/blobs/uploads/');
    const location = String(start202.headers.location);
    const url = new URL(reg.url);
    const body = Buffer.alloc(256 * 1024, 7);
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PATCH', path: location, headers: { 'Content-Length': String(body.length) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.subarray(0, 1024), () => {
        // The rest arrives after the registry was told to stop.
        setTimeout(() => req.end(body.subarray(1024)), 500);
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    const exited = reg.terminate();
    assert.equal(await inFlight, 202);
    assert.equal(await exited, 0);
    await assert.rejects(reg.request('GET', '/v2/'), /ECONNREFUSED/);
    assert.match(await reg.waitForLog(/SIGTERM: shutting down/), /SIGTERM: shutting down/);
  });

  it('gc removes unreferenced blobs (dry run first), and --delete-untagged removes untagged manifests', async () => {
    const reg = await start(['--delete-enabled']);
    const kept = await reg.pushImage('gc/app', 'keep');
    const dropped = await reg.pushImage('gc/app', 'drop');
    const orphan = await reg.pushBlob('gc/app', 'uploaded but never referenced');
    assert.equal((await reg.request('DELETE', `/v2/gc/app/manifests/${dropped.digest}`)).status, 202);
    // An untagged manifest: pushed by digest only.
    const untaggedLayer = await reg.pushBlob('gc/app', 'untagged layer');
    const untagged = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: kept.configDigest, size: 0 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: untaggedLayer, size: 14 }],
    }));
    assert.equal((await reg.request('PUT', `/v2/gc/app/manifests/${digestOf(untagged)}`, { headers: { 'Content-Type': OCI_MANIFEST }, body: untagged })).status, 201);
    await reg.terminate();

    const gc = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'berth'), 'registry', 'gc', '--root', reg.root, ...args]);
    const blobs = async () => (await readdir(join(reg.root, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`);
    const before = await blobs();
    const dry = gc('--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    for (const d of [orphan, dropped.layerDigest, dropped.digest]) assert.match(dry.stdout, new RegExp(`blob eligible for deletion: ${d}`));
    assert.doesNotMatch(dry.stdout, new RegExp(kept.layerDigest));
    assert.deepEqual(await blobs(), before, 'a dry run removes nothing');

    const real = gc();
    assert.equal(real.code, 0, real.stderr);
    // The dropped image's config is the kept one's (same bytes), so it stays.
    assert.match(real.stdout, /removed 3 blobs/);
    const after = await blobs();
    for (const d of [kept.digest, kept.layerDigest, kept.configDigest, digestOf(untagged), untaggedLayer]) assert.ok(after.includes(d), d);
    for (const d of [orphan, dropped.layerDigest, dropped.digest]) assert.ok(!after.includes(d), d);

    const untaggedRun = gc('--delete-untagged');
    assert.equal(untaggedRun.code, 0, untaggedRun.stderr);
    assert.match(untaggedRun.stdout, new RegExp(`manifest eligible for deletion: gc/app@${digestOf(untagged)}`));
    const final = await blobs();
    assert.ok(!final.includes(untaggedLayer) && !final.includes(digestOf(untagged)));
    assert.ok(final.includes(kept.layerDigest));

    // The kept image is still whole when the registry comes back.
    const again = await start(['--root', reg.root]);
    const manifest = await again.request('GET', '/v2/gc/app/manifests/keep');
    assert.equal(manifest.status, 200);
    assert.equal((await again.request('GET', `/v2/gc/app/blobs/${kept.layerDigest}`)).status, 200);
    assert.equal((await again.request('HEAD', `/v2/gc/app/blobs/${orphan}`)).status, 404);
  });
});
