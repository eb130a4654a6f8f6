/**
 * The pull-through cache: a berth registry configured with distribution's
 * `proxy.remoteurl` in front of an upstream berth registry. berthd pulls
 * busybox through it as a registry mirror, and again once the upstream has
 * stopped; pushes are refused; an upstream that sends bad or short bytes
 * leaves no blob behind; a --console project proxies the upstream too; an
 * upstream that needs credentials is pulled from with the configured ones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, TestDaemon, waitForValue } from './harness.js';
import { basicAuth, consoleApi, digestOf, expectStatus, makeBusyboxOciLayout, TestRegistry } from './registry-harness.js';
import { PASSWORD, USER, writeHtpasswd } from './distribution-helpers.js';

const SKOPEO = '/usr/bin/skopeo';
const ADMIN_PASSWORD = 'admin-secret-1';

function skopeo(args: string[]) {
  return run(SKOPEO, ['--insecure-policy', ...args]);
}

function blobFile(registry: TestRegistry, digest: string): string {
  return join(registry.root, 'blobs', 'sha256', digest.slice(7));
}

describe('registry pull-through cache', { skip: existsSync(SKOPEO) ? false : 'skopeo not installed' }, () => {
  let dir: string;
  let upstream: TestRegistry;
  let proxy: TestRegistry;
  let daemon: TestDaemon;
  let layout: { manifestDigest: string; layerDigest: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-proxy-'));
    layout = await makeBusyboxOciLayout(join(dir, 'oci'));
    upstream = await TestRegistry.start();
    const push = skopeo(['copy', '--dest-tls-verify=false', `oci:${join(dir, 'oci')}:latest`, `docker://${upstream.hostPort}/library/busybox:latest`]);
    assert.equal(push.code, 0, push.stderr);
    // distribution's config format, with berth's tagttl: 0 asks the upstream about tags on every pull.
    const config = join(dir, 'proxy.yml');
    await writeFile(config, [
      'version: 0.1',
      'http:',
      '  addr: 127.0.0.1:0',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'proxy-root')}`,
      'proxy:',
      `  remoteurl: ${upstream.url}`,
      '  tagttl: 0',
      '',
    ].join('\n'));
    proxy = await TestRegistry.start(['--config', config]);
    daemon = await TestDaemon.start([], { 'registry-mirrors': [proxy.url] });
  });
  after(async () => {
    await daemon?.stop();
    await proxy?.stop();
    await upstream?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets berthd pull busybox through it as a registry mirror, caching what it served', async () => {
    const pull = daemon.berth(['pull', 'busybox']);
    assert.equal(pull.code, 0, `${pull.stderr}\n${proxy.log()}`);
    const inspect = daemon.berth(['image', 'inspect', '--format', '{{json .RepoDigests}}', 'busybox']);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, new RegExp(layout.manifestDigest));
    assert.ok(existsSync(join(dir, 'proxy-root', 'blobs', 'sha256', layout.layerDigest.slice(7))), 'the layer is in the cache');
    assert.match(proxy.log(), /GET \/v2\/library\/busybox\/blobs\/sha256:/);
  });

  it('refuses pushes and deletes, as distribution does', async () => {
    const upload = await proxy.request('POST', '/v2/library/busybox/blobs/uploads/');
    assert.equal(upload.status, 405);
    assert.equal(upload.json().errors[0].code, 'UNSUPPORTED');
    const put = await proxy.request('PUT', '/v2/library/busybox/manifests/mine', { headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }, body: '{}' });
    assert.equal(put.status, 405);
    assert.equal((await proxy.request('DELETE', `/v2/library/busybox/manifests/${layout.manifestDigest}`)).status, 405);
  });

  /** A --console registry with a project proxying the upstream (it outlives the describe below, for the upstream's stop). */
  let consoleRegistry: TestRegistry | undefined;
  const currentConsole = () => {
    assert.ok(consoleRegistry, 'the --console registry started');
    return consoleRegistry;
  };
  after(async () => {
    await consoleRegistry?.stop();
  });

  describe('a --console project that proxies the upstream', () => {
    const admin = { authorization: basicAuth('admin', ADMIN_PASSWORD), 'content-type': 'application/json' };

    before(async () => {
      consoleRegistry = await TestRegistry.start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    });

    it('is set up by the admin, keeps the password to itself, and serves <project>/<upstream name>', async () => {
      const consoleRegistry = currentConsole();
      assert.equal((await consoleRegistry.request('POST', '/api/v1/projects', { headers: admin, body: JSON.stringify({ name: 'hub', public: true }) })).status, 201);
      const body = { upstream: { url: upstream.url, username: 'nobody', password: 'upstream-secret' }, tag_ttl_seconds: 0 };
      const set = await consoleRegistry.request('PUT', '/api/v1/projects/hub/proxy', { headers: admin, body: JSON.stringify(body) });
      assert.equal(set.status, 200, set.body.toString());
      assert.deepEqual(set.json().upstream, { url: upstream.url, username: 'nobody', has_password: true, insecure: false });
      assert.doesNotMatch(set.body.toString(), /upstream-secret/);
      const file = join(consoleRegistry.root, 'proxy', 'projects.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const inspect = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${consoleRegistry.hostPort}/hub/library/busybox:latest`]);
      assert.equal(inspect.code, 0, `${inspect.stderr}\n${consoleRegistry.log()}`);
      assert.equal(digestOf(inspect.stdout), layout.manifestDigest);
      const copy = skopeo(['copy', '--src-tls-verify=false', `docker://${consoleRegistry.hostPort}/hub/library/busybox:latest`, `oci:${join(dir, 'via-project')}:x`]);
      assert.equal(copy.code, 0, copy.stderr);
      assert.ok(existsSync(blobFile(consoleRegistry, layout.layerDigest)));
      // The pulls it served are in the audit log, as any other project's.
      const audit = await consoleRegistry.request('GET', '/api/v1/audit-logs?operation=pull&repository=hub/library/busybox', { headers: admin });
      assert.ok(audit.json().some((e: { user: string; reference: string }) => e.user === 'anonymous' && e.reference === 'latest'), audit.body.toString());
      const push = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, `oci:${join(dir, 'oci')}:latest`, `docker://${consoleRegistry.hostPort}/hub/mine:1`]);
      assert.notEqual(push.code, 0, 'a push into a proxy project is refused');
    });
  });

  it('keeps serving cached content after the upstream stops, as the whole registry and as a proxy-cache project', async () => {
    assert.equal(daemon.berth(['rmi', 'busybox']).code, 0);
    await upstream.terminate();
    const pull = daemon.berth(['pull', 'busybox']);
    assert.equal(pull.code, 0, `${pull.stderr}\n${proxy.log()}`);
    assert.match(proxy.log(), /serving the cached copy/);
    const inspect = daemon.berth(['image', 'inspect', '--format', '{{json .RepoDigests}}', 'busybox']);
    assert.match(inspect.stdout, new RegExp(layout.manifestDigest));
    // So does a proxy-cache project (it asks the upstream about the tag on every pull, and gets no answer).
    const viaProject = skopeo(['copy', '--src-tls-verify=false', `docker://${currentConsole().hostPort}/hub/library/busybox:latest`, `oci:${join(dir, 'after-stop')}:x`]);
    assert.equal(viaProject.code, 0, `${viaProject.stderr}\n${currentConsole().log()}`);
    assert.ok(existsSync(join(dir, 'after-stop', 'blobs', 'sha256', layout.manifestDigest.slice(7))));
  });
});

/**
 * Upstreams that let nobody in without credentials: a berth registry with
 * htpasswd (Basic) behind the whole-registry proxy, set by distribution's
 * REGISTRY_PROXY_* overrides of proxy.remoteurl, proxy.username and
 * proxy.password; a --console one (Bearer tokens, a private project) behind
 * proxy-cache projects. With the right credentials the pull works and the
 * upstream logs their user; with wrong ones the client gets 404
 * MANIFEST_UNKNOWN (as from distribution's proxy) and the log the upstream's 401.
 */
describe('registry pull-through cache from upstreams that need credentials', { skip: existsSync(SKOPEO) ? false : 'skopeo not installed' }, () => {
  const PULLER = { user: 'puller', password: 'puller-secret-7' };
  const admin = { user: 'admin', password: ADMIN_PASSWORD };
  let dir: string;
  let layout: { manifestDigest: string; layerDigest: string };
  const started: TestRegistry[] = [];
  const start = async (args: string[], env: Record<string, string> = {}) => {
    const registry = await TestRegistry.start(args, env);
    started.push(registry);
    return registry;
  };
  const pull = (ref: string, to: string) => skopeo(['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(dir, to)}:x`]);
  /** The proxy may finish storing the layer after the client has its bytes. */
  const layerCached = (proxy: TestRegistry) => waitForValue('the layer in the cache', async () => existsSync(blobFile(proxy, layout.layerDigest)) || undefined);
  /** The upstream served the layer to `user`: the proxy sent that user's credentials. */
  async function servedTo(upstream: TestRegistry, user: string, name: string): Promise<void> {
    const line = new RegExp(` ${user} \\[[^\\]]+\\] "GET /v2/${name}/blobs/${layout.layerDigest} HTTP/1.1" 200 `);
    assert.match(await upstream.waitForLog(line), line);
  }
  /** What a wrong password gets: the client a 404 MANIFEST_UNKNOWN, the log the upstream's refusal. */
  async function refused(proxy: TestRegistry, name: string, upstreamError: RegExp, headers: Record<string, string> = {}): Promise<void> {
    const res = await proxy.request('GET', `/v2/${name}/manifests/latest`, { headers });
    assert.equal(res.status, 404, res.body.toString());
    assert.equal(res.json().errors[0].code, 'MANIFEST_UNKNOWN');
    const copy = pull(`${proxy.hostPort}/${name}:latest`, `refused-${name.replaceAll('/', '-')}`);
    assert.notEqual(copy.code, 0);
    assert.match(copy.stderr, /manifest unknown/i);
    assert.match(await proxy.waitForLog(upstreamError), upstreamError);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-proxy-auth-'));
    layout = await makeBusyboxOciLayout(join(dir, 'oci'));
  });
  after(async () => {
    for (const registry of started) await registry.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the whole-registry proxy pulls from an htpasswd upstream with proxy.username and proxy.password, and not with a wrong password', async () => {
    await writeHtpasswd(join(dir, 'htpasswd'));
    const upstream = await start(['--htpasswd', join(dir, 'htpasswd')]);
    const src = `oci:${join(dir, 'oci')}:latest`;
    const push = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, src, `docker://${upstream.hostPort}/library/busybox:latest`]);
    assert.equal(push.code, 0, push.stderr);
    assert.notEqual(pull(`${upstream.hostPort}/library/busybox:latest`, 'anonymous').code, 0, 'the upstream refuses anonymous pulls');

    const proxy = await start([], { REGISTRY_PROXY_REMOTEURL: upstream.url, REGISTRY_PROXY_USERNAME: USER, REGISTRY_PROXY_PASSWORD: PASSWORD });
    const copy = pull(`${proxy.hostPort}/library/busybox:latest`, 'whole');
    assert.equal(copy.code, 0, `${copy.stderr}\n${proxy.log()}`);
    await layerCached(proxy);
    await servedTo(upstream, USER, 'library/busybox');

    const wrong = await start([], { REGISTRY_PROXY_REMOTEURL: upstream.url, REGISTRY_PROXY_USERNAME: USER, REGISTRY_PROXY_PASSWORD: 'not-the-password' });
    await refused(wrong, 'library/busybox', /pull-through: library\/busybox:latest from 127\.0\.0\.1:\d+: manifest library\/busybox:latest: 401/);
  });

  it('a proxy-cache project pulls a private project of a --console upstream with its upstream credentials, and not with a wrong password', async () => {
    const upstream = await start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    await expectStatus(consoleApi(upstream, 'POST', '/users', { username: PULLER.user, password: PULLER.password }, admin), 201);
    await expectStatus(consoleApi(upstream, 'POST', '/projects', { name: 'private', public: false }, admin), 201);
    await expectStatus(consoleApi(upstream, 'POST', '/projects/private/members', { username: PULLER.user, role: 'guest' }, admin), 201);
    const push = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${ADMIN_PASSWORD}`, `oci:${join(dir, 'oci')}:latest`, `docker://${upstream.hostPort}/private/busybox:latest`]);
    assert.equal(push.code, 0, push.stderr);
    assert.notEqual(pull(`${upstream.hostPort}/private/busybox:latest`, 'anonymous-private').code, 0, 'the upstream refuses anonymous pulls');

    const registry = await start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    for (const [project, password] of [['mirror', PULLER.password], ['broken', 'not-the-password']] as const) {
      await expectStatus(consoleApi(registry, 'POST', '/projects', { name: project, public: true }, admin), 201);
      const proxy = { upstream: { url: upstream.url, username: PULLER.user, password }, tag_ttl_seconds: 0 };
      await expectStatus(consoleApi(registry, 'PUT', `/projects/${project}/proxy`, proxy, admin), 200);
    }
    const copy = pull(`${registry.hostPort}/mirror/private/busybox:latest`, 'project');
    assert.equal(copy.code, 0, `${copy.stderr}\n${registry.log()}`);
    assert.ok(existsSync(join(dir, 'project', 'blobs', 'sha256', layout.manifestDigest.slice(7))));
    await layerCached(registry);
    await servedTo(upstream, PULLER.user, 'private/busybox');

    const token = await expectStatus(registry.request('GET', '/service/token?service=berth-registry&scope=repository:broken/private/busybox:pull'), 200);
    await refused(registry, 'broken/private/busybox', /pull-through: private\/busybox:latest from 127\.0\.0\.1:\d+: token from 127\.0\.0\.1:\d+: 401/, { Authorization: `Bearer ${token.json().token}` });
  });
});

/**
 * An upstream that misbehaves on purpose: the first GET of the blob sends
 * the right length with a wrong byte, the second stops half-way, the third
 * is right.
 */
describe('registry pull-through cache with a faulty upstream', () => {
  const layer = gzipSync(Buffer.from('a layer that must arrive whole '.repeat(4096)));
  const digest = digestOf(layer);
  let gets = 0;
  let faulty: Server;
  let proxy: TestRegistry;

  before(async () => {
    faulty = createServer((req, res) => {
      if (req.url !== `/v2/app/blobs/${digest}`) {
        res.writeHead(req.url === '/v2/' ? 200 : 404, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      const headers = { 'Content-Length': layer.length, 'Docker-Content-Digest': digest };
      if (req.method === 'HEAD') return void res.writeHead(200, headers).end();
      gets++;
      res.writeHead(200, headers);
      if (gets === 1) res.end(Buffer.concat([layer.subarray(0, -1), Buffer.from([layer[layer.length - 1]! ^ 1])]));
      else if (gets === 2) res.write(layer.subarray(0, layer.length >> 1), () => res.destroy());
      else res.end(layer);
    });
    await new Promise<void>((r) => faulty.listen(0, '127.0.0.1', r));
    const port = (faulty.address() as AddressInfo).port;
    proxy = await TestRegistry.start([], { REGISTRY_PROXY_REMOTEURL: `http://127.0.0.1:${port}` });
  });
  after(async () => {
    await proxy?.stop();
    await new Promise((r) => faulty?.close(r));
  });

  it('stores a blob only when the whole stream arrived with its digest', async () => {
    for (const [n, attempt] of ['a wrong byte', 'half the stream'].entries()) {
      const res = await proxy.request('GET', `/v2/app/blobs/${digest}`).catch((err: Error) => err);
      if (!(res instanceof Error)) assert.notDeepEqual(res.body, layer, `${attempt}: the client did not get a whole blob`);
      // The client may have its bytes before the proxy has judged them: wait for the verdict.
      const log = await proxy.waitForLog(new RegExp(`(not cached[^]*){${n + 1}}`), 30_000);
      assert.equal(log.match(/not cached/g)?.length, n + 1, log);
      assert.equal(existsSync(blobFile(proxy, digest)), false, `${attempt}: nothing stored`);
    }
    const good = await proxy.request('GET', `/v2/app/blobs/${digest}`);
    assert.equal(good.status, 200);
    assert.deepEqual(good.body, layer);
    await waitForValue('the blob in the cache', async () => existsSync(blobFile(proxy, digest)) || undefined);
    assert.equal(gets, 3);
    const cached = await proxy.request('GET', `/v2/app/blobs/${digest}`);
    assert.deepEqual(cached.body, layer);
    assert.equal(gets, 3, 'served from the cache');
  });
});
