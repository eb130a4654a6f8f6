/**
 * Helpers for the registry's tests: a `berth registry serve` process on a
 * free loopback port with its own root in a temp dir, raw HTTP(S) requests,
 * and content to push (blobs, manifests, an OCI layout of busybox).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type OutgoingHttpHeaders, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { busyboxRootfs, ROOT, run, START_TIMEOUT_MS } from './harness.js';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = any>(): T;
}

export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** PEM of a CA to trust (for TLS tests). */
  ca?: Buffer;
}

/** One raw request; `path` is sent as it is (no normalisation of ".." or "%2f"). */
export function request(base: string, method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const url = new URL(base);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      { host: url.hostname, port: url.port, method, path, headers: options.headers, ca: options.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function digestOf(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface Who {
  user: string;
  password: string;
}

/** A call to the console's JSON API (/api/v1…) with Basic auth as `as`; `body`, if given, goes as JSON. */
export function consoleApi(registry: TestRegistry, method: string, path: string, body: unknown, as: Who): Promise<Response> {
  const headers: Record<string, string> = { Authorization: basicAuth(as.user, as.password) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return registry.request(method, `/api/v1${path}`, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The answer, once it is known to have `status` (else the test fails showing its body). */
export async function expectStatus(res: Promise<Response>, status: number): Promise<Response> {
  const r = await res;
  assert.equal(r.status, status, r.body.toString());
  return r;
}

/**
 * A running `berth registry serve`, stopped and removed (root included) by
 * stop(). Its output goes to a file, not a pipe: tests block in spawnSync
 * while clients talk to it, and a full pipe would stall the registry
 * (Node writes to pipes synchronously on Linux).
 */
export class TestRegistry {
  private constructor(readonly dir: string, private readonly child: ChildProcess, readonly url: string) {}

  get root(): string {
    return join(this.dir, 'root');
  }

  get logFile(): string {
    return join(this.dir, 'registry.log');
  }

  /** host:port, as docker and skopeo name the registry. */
  get hostPort(): string {
    return new URL(this.url).host;
  }

  static async start(args: string[] = [], env: Record<string, string> = {}, dir?: string): Promise<TestRegistry> {
    dir ??= await mkdtemp(join(tmpdir(), 'berth-registry-'));
    // A config file, env or flags may set the root and address themselves (flags would override the file).
    const configured = args.some((a) => a === '--config' || /\.ya?ml$/.test(a));
    const hasRoot = configured || args.includes('--root') || 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY' in env;
    const hasAddr = configured || args.includes('--addr') || 'REGISTRY_HTTP_ADDR' in env;
    const full = ['registry', 'serve', ...(hasAddr ? [] : ['--addr', '127.0.0.1:0']), ...(hasRoot ? [] : ['--root', join(dir, 'root')]), ...args];
    const logFile = join(dir, 'registry.log');
    // A restart in the same dir appends to the log: only this start's lines say where it listens.
    const skip = readLog(logFile).length;
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), ...full], { env: { ...withoutRegistryEnv(process.env), ...env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const m = readLog(logFile).slice(skip).match(/listening on (\S+) \((https?)\)/);
      if (m) return new TestRegistry(dir, child, `${m[2]}://${m[1]}`);
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    const output = readLog(logFile);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`registry did not start:\n${output}`);
  }

  log(): string {
    return readLog(this.logFile);
  }

  /** The log once it matches: the registry writes its access line when the response has gone out. */
  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.log()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.log();
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return request(this.url, method, path, options);
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async terminate(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill('SIGTERM');
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 35_000);
    const code = await exited;
    clearTimeout(timeout);
    return code;
  }

  async stop(): Promise<void> {
    await this.terminate();
    await rm(this.dir, { recursive: true, force: true });
  }

  // ---- pushing content by raw HTTP ----

  async pushBlob(name: string, data: Buffer | string, headers: OutgoingHttpHeaders = {}): Promise<string> {
    const digest = digestOf(data);
    const res = await this.request('POST', `/v2/${name}/blobs/uploads/?digest=${digest}`, {
      headers: { 'Content-Type': 'application/octet-stream', ...headers },
      body: data,
    });
    if (res.status !== 201) throw new Error(`push blob: ${res.status} ${res.body}`);
    return digest;
  }

  /** Pushes a config and one layer, then an image manifest; returns the manifest and its digest. */
  async pushImage(name: string, tag: string, options: { mediaType?: string; layer?: Buffer; headers?: OutgoingHttpHeaders } = {}) {
    const layer = options.layer ?? gzipSync(Buffer.from(`layer of ${name}:${tag}`));
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-05-06T07:08:09Z', rootfs: { type: 'layers', diff_ids: [] } }));
    const configDigest = await this.pushBlob(name, config, options.headers);
    const layerDigest = await this.pushBlob(name, layer, options.headers);
    const mediaType = options.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
    const docker = mediaType.includes('docker');
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    }));
    const res = await this.request('PUT', `/v2/${name}/manifests/${tag}`, { headers: { 'Content-Type': mediaType, ...options.headers }, body: manifest });
    if (res.status !== 201) throw new Error(`push manifest: ${res.status} ${res.body}`);
    return { manifest, digest: digestOf(manifest), configDigest, layerDigest };
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The caller's REGISTRY_* variables would change the registry's settings: tests set their own. */
function withoutRegistryEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('REGISTRY_')));
}

/**
 * An OCI image layout of busybox (Debian's busybox-static, one gzip layer),
 * tagged `ref` in index.json, plus a one-platform index tagged "multi", for
 * skopeo to copy from.
 */
export async function makeBusyboxOciLayout(dir: string, ref = 'latest'): Promise<{ manifestDigest: string; layerDigest: string }> {
  const tar = await readFile(await busyboxRootfs());
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-02T03:04:05Z',
    config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history: [{ created: '2024-01-02T03:04:05Z', created_by: 'busybox-rootfs.sh' }],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
  }));
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) await writeFile(join(dir, 'blobs', 'sha256', digestOf(blob).slice(7)), blob);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  // `ref` names the image manifest; "multi" names an index over it (one linux/amd64 entry).
  const image = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf(manifest), size: manifest.length };
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ ...image, platform: { os: 'linux', architecture: 'amd64' } }],
  }));
  await writeFile(join(dir, 'blobs', 'sha256', digestOf(index).slice(7)), index);
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { ...image, annotations: { 'org.opencontainers.image.ref.name': ref } },
      { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digestOf(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } },
    ],
  }));
  return { manifestDigest: digestOf(manifest), layerDigest: digestOf(layer) };
}

/** A self-signed certificate for 127.0.0.1 (openssl), as cert.pem and key.pem in `dir`. */
export function makeLoopbackCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  if (made.code !== 0) throw new Error(`openssl: ${made.stderr}`);
  return { cert, key };
}
