/**
 * Helpers for the registry-client tests: Debian's docker-registry
 * (distribution 2.8) with a generated config, a token server for its Bearer
 * auth (a child process signing RS256 JWTs with an x5c header), a test CA with
 * openssl, htpasswd files, and images with chosen layers pushed by raw HTTP.
 * Every server runs as a child process on loopback, so tests may block in
 * spawnSync while they answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from './harness.js';
import { digestOf, type TestRegistry } from './registry-harness.js';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';
export const USER = 'carol';
export const PASSWORD = 'pull-and-push-0';

/** A free TCP port on loopback (released at once; the race is harmless in tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A child process that is killed, and waited for, by stop(). */
export class ChildServer {
  output = '';

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  async waitFor(pattern: RegExp, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (pattern.test(this.output)) return;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`server did not start (waiting for ${pattern}):\n${this.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** An htpasswd file made by the real `htpasswd -Bbn`. */
export async function writeHtpasswd(path: string, user = USER, password = PASSWORD): Promise<void> {
  const made = run('htpasswd', ['-Bbn', user, password]);
  if (made.code !== 0) throw new Error(`htpasswd: ${made.stderr}`);
  await writeFile(path, `${made.stdout.trim()}\n`);
}

/** A CA and a server certificate for 127.0.0.1, ::1 and localhost, made with openssl in `dir`. */
export function makeTestCa(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth test CA', '-keyout', caKey, '-out', ca],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', key, '-out', csr],
  ];
  for (const args of steps) check(run('openssl', args));
  run('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > '${ext}'`]);
  check(run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]));
  return { ca, cert, key };
}

function check(result: { code: number; stderr: string }): void {
  if (result.code !== 0) throw new Error(`openssl failed: ${result.stderr}`);
}

export interface DistributionOptions {
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  tls?: { cert: string; key: string };
  host?: string;
}

/** Debian's docker-registry (distribution 2.8) on a free loopback port, storage and config in `dir`. */
export async function startDockerRegistry(dir: string, options: DistributionOptions = {}): Promise<{ server: ChildServer; hostPort: string }> {
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  const hostPort = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  await mkdir(join(dir, 'storage'), { recursive: true });
  const auth = options.htpasswd
    ? `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${options.htpasswd}\n`
    : options.token
      ? `auth:\n  token:\n    realm: ${options.token.realm}\n    service: ${options.token.service}\n    issuer: ${options.token.issuer}\n    rootcertbundle: ${options.token.rootCertBundle}\n`
      : '';
  const tls = options.tls ? `  tls:\n    certificate: ${options.tls.cert}\n    key: ${options.tls.key}\n` : '';
  const config = `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n  delete:\n    enabled: true\nhttp:\n  addr: "${hostPort}"\n${tls}${auth}`;
  await writeFile(join(dir, 'config.yml'), config);
  const server = new ChildServer(spawn(DOCKER_REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await server.waitFor(/listening on/);
  return { server, hostPort };
}

export function dockerRegistrySkipReason(): string | undefined {
  return existsSync(DOCKER_REGISTRY) ? undefined : 'docker-registry (distribution 2.8) not installed';
}

/**
 * The token server of distribution's token auth spec, as a child process:
 * GET /token with Basic credentials (or anonymously) answers a JWT signed
 * with `key`, its certificate in the x5c header; anonymous callers get pull
 * access to "public/*" only; offline_token=true adds a refresh token, which
 * POST /token (grant_type=refresh_token) accepts.
 */
export async function startTokenServer(dir: string, cert: string, key: string, issuer: string): Promise<{ server: ChildServer; realm: string; requests: () => string[] }> {
  const script = join(dir, 'token-server.mjs');
  await writeFile(script, TOKEN_SERVER_SOURCE);
  const port = await freePort();
  const server = new ChildServer(spawn(process.execPath, [script, String(port), cert, key, issuer, USER, PASSWORD], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await server.waitFor(/token server ready/);
  const requests = () => server.output.split('\n').filter((l) => l.startsWith('REQ ')).map((l) => l.slice(4));
  return { server, realm: `http://127.0.0.1:${port}/token`, requests };
}

const TOKEN_SERVER_SOURCE = String.raw`
import { createServer } from 'node:http';
import { createSign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [port, certPath, keyPath, issuer, user, password] = process.argv.slice(2);
const cert = new X509Certificate(readFileSync(certPath));
const key = readFileSync(keyPath);
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function sign(claims) {
  const header = { alg: 'RS256', typ: 'JWT', x5c: [cert.raw.toString('base64')] };
  const input = b64(header) + '.' + b64(claims);
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return input + '.' + signature;
}
function grant(subject, scopes) {
  return scopes.filter(Boolean).map((scope) => {
    const [type, name, actions] = scope.split(':');
    const allowed = subject ? actions.split(',') : name.startsWith('public/') ? actions.split(',').filter((a) => a === 'pull') : [];
    return { type, name, actions: allowed };
  });
}
function answer(res, subject, service, scopes, offline) {
  const now = Math.floor(Date.now() / 1000);
  const token = sign({ iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: String(Math.random()), access: grant(subject, scopes) });
  const body = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
  if (offline && subject) body.refresh_token = 'refresh-' + subject;
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  console.log('REQ ' + req.method + ' ' + url.pathname + url.search + ' auth=' + (req.headers.authorization ? req.headers.authorization.split(' ')[0] : 'none'));
  if (req.method === 'POST') {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      if (form.get('refresh_token') !== 'refresh-' + user) return res.writeHead(401).end('{"details":"invalid refresh token"}');
      answer(res, user, form.get('service'), (form.get('scope') || '').split(' '), false);
    });
    return;
  }
  let subject = '';
  const header = req.headers.authorization;
  if (header) {
    const [u, p] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(':');
    if (u !== user || p !== password) return res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
    subject = u;
  }
  answer(res, subject, url.searchParams.get('service'), url.searchParams.getAll('scope'), url.searchParams.get('offline_token') === 'true');
}).listen(Number(port), '127.0.0.1', () => console.log('token server ready'));
`;

/**
 * Pushes an image by raw HTTP to a berth registry: a config naming the layers'
 * diff IDs, the gzip layers, and a Docker schema 2 manifest; returns digests.
 */
export interface LayerForm {
  compress(tar: Buffer): Buffer;
  mediaType: string;
}

export const GZIP_LAYER: LayerForm = { compress: (tar) => gzipSync(tar), mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' };

export async function pushRawImage(registry: TestRegistry, name: string, tag: string, tars: Buffer[], config: Record<string, unknown> = {}, forms: LayerForm[] = []) {
  const layers = tars.map((t, i) => (forms[i] ?? GZIP_LAYER).compress(t));
  const configBytes = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-05-06T07:08:09Z', config: { Cmd: ['sh'] }, ...config,
    rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) },
    history: tars.map(() => ({ created: '2024-05-06T07:08:09Z', created_by: 'test' })),
  }));
  await registry.pushBlob(name, configBytes);
  for (const layer of layers) await registry.pushBlob(name, layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digestOf(configBytes), size: configBytes.length },
    layers: layers.map((l, i) => ({ mediaType: (forms[i] ?? GZIP_LAYER).mediaType, digest: digestOf(l), size: l.length })),
  }));
  const res = await registry.request('PUT', `/v2/${name}/manifests/${tag}`, { headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' }, body: manifest });
  if (res.status !== 201) throw new Error(`push manifest: ${res.status} ${res.body}`);
  return { manifestDigest: digestOf(manifest), manifest, configDigest: digestOf(configBytes), layerDigests: layers.map((l) => digestOf(l)) };
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** A small uncompressed layer tar holding the given files. */
export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const { default: tar } = await import('tar-stream');
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mtime: new Date(0), mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Lets child processes' output reach us: tests block in spawnSync, so their pipes are read only afterwards. */
export function settle(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
