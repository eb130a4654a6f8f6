/** berthd's flags, daemon.json values and /info warnings, without starting a daemon. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, type DaemonConfig } from './config.js';
import { parseDaemonFlags } from './flags.js';
import { parseHost } from './listeners.js';
import { infoWarnings } from './system.js';

test('boolean flags take =true/=false, and TLS flags set the TLS fields', () => {
  const { flags } = parseDaemonFlags(['--tlsverify', '--tls=false', '--iptables=false', '--tlscacert', '/c/ca.pem', '--label', 'a=b', '--log-opt', 'max-size=5m']);
  assert.deepEqual(flags, { tlsVerify: true, tls: false, iptables: false, tlsCaCert: '/c/ca.pem', labels: ['a=b'], logOpts: { 'max-size': '5m' } });
  assert.throws(() => parseDaemonFlags(['--tls=maybe']), /invalid argument "maybe" for "--tls" flag/);
  assert.throws(() => parseDaemonFlags(['--log-opt', 'max-file=0']), /max-file must be a positive number/);
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
