/** berthd's flags, daemon.json values and /info warnings, without starting a daemon. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, mergeConfig, readConfigFile, type DaemonConfig } from './config.js';
import { parseDaemonFlags } from './flags.js';
import { parseHost } from './listeners.js';
import { infoWarnings } from './system.js';

test('boolean flags take =true/=false, and TLS flags set the TLS fields', () => {
  const { flags } = parseDaemonFlags(['--tlsverify', '--tls=false', '--iptables=false', '--tlscacert', '/c/ca.pem', '--label', 'a=b', '--log-opt', 'max-size=5m']);
  assert.deepEqual(flags, { tlsVerify: true, tls: false, iptables: false, tlsCaCert: '/c/ca.pem', labels: ['a=b'], logOpts: { 'max-size': '5m' } });
  assert.throws(() => parseDaemonFlags(['--tls=maybe']), /invalid argument "maybe" for "--tls" flag/);
  assert.throws(() => parseDaemonFlags(['--log-opt', 'max-file=0']), /max-file cannot be less than 1/);
  assert.equal(parseDaemonFlags(['--api-enable-cors']).flags.apiCorsHeader, '*');
  assert.equal(parseDaemonFlags(['--api-enable-cors', '--api-cors-header', 'https://a.example']).flags.apiCorsHeader, 'https://a.example');
  assert.throws(() => parseDaemonFlags(['--add-runtime', 'crun=/usr/bin/crun']), /runc only/);
});

test('-H forms: a missing host is loopback, a missing port 2375 or 2376 with TLS', () => {
  assert.deepEqual(parseHost('tcp://'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
  assert.deepEqual(parseHost('tcp://10.0.0.1', true), { kind: 'tcp', host: '10.0.0.1', port: 2376 });
  assert.deepEqual(parseHost(':4000'), { kind: 'tcp', host: '127.0.0.1', port: 4000 });
  assert.deepEqual(parseHost('unix:///run/x.sock'), { kind: 'unix', path: '/run/x.sock' });
  assert.deepEqual(parseHost('fd://3'), { kind: 'fd', fd: 3 });
  assert.throws(() => parseHost('fd://1'), /invalid socket-activation host/);
});

test('info warns about plain and unverified TCP, missing swap limits and IPv4 forwarding', () => {
  const config = (over: Partial<DaemonConfig>) => ({ ...DEFAULTS, ...over });
  assert.deepEqual(infoWarnings(config({}), { ipv4Forwarding: true, swapLimit: true }), []);
  assert.deepEqual(infoWarnings(config({}), { ipv4Forwarding: false, swapLimit: false }), ['WARNING: No swap limit support', 'WARNING: IPv4 forwarding is disabled']);
  const plain = infoWarnings(config({ hosts: ['tcp://127.0.0.1:2375'] }), { ipv4Forwarding: true, swapLimit: true });
  assert.match(plain[0]!, /^WARNING: API is accessible on http:\/\/127\.0\.0\.1:2375 without encryption\./);
  const unverified = infoWarnings(config({ hosts: ['tcp://127.0.0.1:2376'], tls: true }), { ipv4Forwarding: true, swapLimit: true });
  assert.deepEqual(unverified, ['WARNING: API is accessible on https://127.0.0.1:2376 without TLS client verification']);
  assert.deepEqual(infoWarnings(config({ hosts: ['tcp://127.0.0.1:2376'], tlsVerify: true }), { ipv4Forwarding: true, swapLimit: true }), []);
});

test('daemon.json: hosts with TLS, graph as data-root, and a key given as a flag too is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
  try {
    const path = join(dir, 'daemon.json');
    await writeFile(path, JSON.stringify({
      hosts: ['unix:///run/b.sock', 'tcp://0.0.0.0:2376'], tlsverify: true, tlscacert: '/etc/berth/ca.pem', tlscert: '/etc/berth/cert.pem', tlskey: '/etc/berth/key.pem',
      graph: '/srv/berth', 'log-opts': { 'max-size': '1m', 'max-file': '5' }, 'default-ulimits': { nproc: { Name: 'nproc', Soft: 10, Hard: 20 } },
    }));
    const file = await readConfigFile(path, true);
    const config = mergeConfig({}, file);
    assert.deepEqual(config.hosts, ['unix:///run/b.sock', 'tcp://0.0.0.0:2376']);
    assert.equal(config.tlsVerify, true);
    assert.equal(config.tlsCaCert, '/etc/berth/ca.pem');
    assert.equal(config.dataRoot, '/srv/berth');
    assert.deepEqual(config.logOpts, { 'max-size': '1m', 'max-file': '5' });
    assert.deepEqual(config.defaultUlimits, { nproc: { Name: 'nproc', Soft: 10, Hard: 20 } });
    assert.throws(() => mergeConfig({ tlsVerify: false }, file), /specified both as a flag and in the configuration file: tlsverify/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('registry certificates: dockerd\'s certs.d by default, --registry-certs-dir (repeatable) or "registry-certs-dirs" instead', async () => {
  assert.deepEqual(DEFAULTS.registryCertsDirs, ['/etc/berth/certs.d', '/etc/docker/certs.d']);
  assert.deepEqual(parseDaemonFlags(['--registry-certs-dir', '/a', '--registry-certs-dir=/b']).flags.registryCertsDirs, ['/a', '/b']);
  const dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
  try {
    const path = join(dir, 'daemon.json');
    await writeFile(path, JSON.stringify({ 'registry-certs-dirs': ['/srv/certs.d'] }));
    assert.deepEqual(mergeConfig({}, await readConfigFile(path, true)).registryCertsDirs, ['/srv/certs.d']);
    await writeFile(path, JSON.stringify({ 'registry-certs-dirs': '/srv/certs.d' }));
    await assert.rejects(readConfigFile(path, true), /"registry-certs-dirs" must be a list of strings/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
