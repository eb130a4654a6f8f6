import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { goDuration, ramInBytes } from './go-json.js';
import { hashedJson, serviceConfigHash } from './hash.js';

// What compose v2 hashes for this service, written out by hand from compose-go's ServiceConfig
// (types/types.go): fields in struct order, omitempty values left out, a nil command/entrypoint as
// null, byte sizes as quoted numbers, durations as Go prints them, <> escaped as Go's json does,
// deploy's value structs (resources, placement) always present, depends_on and replicas cleared.
const GO_JSON =
  '{"command":["sh","-c","echo \\u003chi\\u003e"],"deploy":{"resources":{"limits":{"cpus":0.5,"memory":"536870912"}},"placement":{}},' +
  '"entrypoint":null,"environment":{"A":"1","B":null},"extra_hosts":["db=10.0.0.2","v6=::1"],' +
  '"healthcheck":{"test":["CMD-SHELL","true"],"interval":"1m30s","retries":3},"image":"busybox","init":false,' +
  '"networks":{"back":{"aliases":["b"],"ipv4_address":"10.1.0.5"},"default":null},' +
  '"ports":[{"mode":"ingress","host_ip":"127.0.0.1","target":80,"published":"8080","protocol":"tcp"}],' +
  '"secrets":[{"source":"token","target":"/run/secrets/token"}],"stop_grace_period":"5s","ulimits":{"nofile":{"soft":1024,"hard":2048},"nproc":65535},' +
  '"volumes":[{"type":"bind","source":"/h","target":"/c","bind":{"create_host_path":true}},{"type":"volume","source":"data","target":"/d","volume":{"nocopy":true}}]}';

const SERVICE = {
  image: 'busybox',
  command: ['sh', '-c', 'echo <hi>'],
  environment: { B: null, A: '1' },
  extra_hosts: { v6: '[::1]', db: '10.0.0.2' },
  healthcheck: { test: 'true', interval: '90s', retries: 3 },
  init: false,
  networks: { default: null, back: { ipv4_address: '10.1.0.5', aliases: ['b'] } },
  ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'tcp' }],
  secrets: [{ source: 'token' }],
  stop_grace_period: '5s',
  ulimits: { nproc: 65535, nofile: { soft: 1024, hard: 2048 } },
  volumes: [{ type: 'bind', source: '/h', target: '/c', bind: { create_host_path: true } }, { type: 'volume', source: 'data', target: '/d', volume: { nocopy: true } }],
  deploy: { replicas: 3, resources: { limits: { cpus: '0.5', memory: '512m' } } },
  depends_on: { db: { condition: 'service_started', required: true } },
  build: { context: '/src' },
  profiles: ['x'],
  env_file: [{ path: '/e', required: true }],
  pull_policy: 'always',
  'x-private': 1,
};

test('the hashed JSON is compose-go\'s json.Marshal of the service', () => {
  assert.equal(hashedJson(SERVICE), GO_JSON);
  assert.equal(serviceConfigHash(SERVICE), createHash('sha256').update(GO_JSON).digest('hex'));
});

test('what does not change the container does not change the hash', () => {
  const base = serviceConfigHash(SERVICE);
  assert.equal(serviceConfigHash({ ...SERVICE, deploy: { ...SERVICE.deploy, replicas: 9 }, scale: 2, build: undefined }), base);
  assert.notEqual(serviceConfigHash({ ...SERVICE, environment: { A: '2', B: null } }), base);
  assert.notEqual(serviceConfigHash({ ...SERVICE, init: true }), base);
});

test('Go duration and go-units size forms', () => {
  assert.equal(goDuration(90e9), '1m30s');
  assert.equal(goDuration(3600e9), '1h0m0s');
  assert.equal(goDuration(5e8), '500ms');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(ramInBytes('1.5g'), 1610612736);
  assert.equal(ramInBytes('64MiB'), 67108864);
  assert.equal(ramInBytes(1000), 1000);
});
