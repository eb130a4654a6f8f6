import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerSpec, healthcheck } from './container-spec.js';
import type { Project } from './project.js';

function project(service: Record<string, unknown>): Project {
  return {
    name: 'p', workingDir: '/w', configFiles: ['/w/compose.yaml'], environment: {}, profiles: [],
    model: { name: 'p', services: { web: service, db: {} }, networks: { default: { name: 'p_default' }, back: { name: 'p_back' } }, volumes: { data: { name: 'p_data' } }, secrets: {}, configs: {} },
  };
}

const plan = { service: 'web', number: 2, name: 'p-web-2', hash: 'h' };

test('ports, mounts, restart, env and labels as compose v2 sends them', () => {
  const spec = containerSpec(project({
    image: 'img', restart: 'on-failure:3', environment: { A: '1', B: null },
    ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp', host_ip: '127.0.0.1' }, { mode: 'ingress', target: 53, protocol: 'udp' }],
    volumes: [{ type: 'volume', source: 'data', target: '/d' }, { type: 'bind', source: '/host', target: '/h', read_only: true }, { type: 'volume', target: '/anon' }],
    depends_on: { db: { condition: 'service_healthy', required: true, restart: true } },
    networks: { back: null, default: { aliases: ['www'] } },
  }), plan);
  assert.deepEqual(spec.Env, ['A=1']);
  assert.deepEqual(spec.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(spec.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '', HostPort: '' }] });
  assert.deepEqual(spec.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(spec.HostConfig.Binds, ['/host:/h:ro']);
  assert.deepEqual(spec.HostConfig.Mounts, [{ Type: 'volume', Source: 'p_data', Target: '/d', ReadOnly: false }, { Type: 'volume', Target: '/anon', ReadOnly: false }]);
  // Networks are attached in name order (no priorities): `back` at create, `default` connected later.
  assert.equal(spec.HostConfig.NetworkMode, 'p_back');
  assert.deepEqual(spec.NetworkingConfig.EndpointsConfig, { p_back: { Aliases: ['p-web-2', 'web'] } });
  assert.equal(spec.Labels?.['com.docker.compose.container-number'], '2');
  assert.equal(spec.Labels?.['com.docker.compose.depends_on'], 'db:service_healthy:true');
  assert.equal(spec.Labels?.['com.docker.compose.project.config_files'], '/w/compose.yaml');
});

test('healthcheck durations become nanoseconds; a string test runs in a shell', () => {
  assert.deepEqual(healthcheck({ test: 'true', interval: '1m30s', timeout: '500ms', retries: 3 }), { Test: ['CMD-SHELL', 'true'], Interval: 90e9, Timeout: 5e8, StartPeriod: undefined, Retries: 3 });
  assert.deepEqual(healthcheck({ disable: true }), { Test: ['NONE'] });
});

test('a recreated container keeps its predecessor\'s anonymous volumes, declared or from the image', () => {
  const spec = containerSpec(project({ image: 'img', volumes: [{ type: 'volume', target: '/anon' }] }), { ...plan, inherited: { '/anon': 'a'.repeat(64), '/image-vol': 'b'.repeat(64) } });
  assert.deepEqual(spec.HostConfig.Mounts, [
    { Type: 'volume', Source: 'a'.repeat(64), Target: '/anon', ReadOnly: false },
    { Type: 'volume', Source: 'b'.repeat(64), Target: '/image-vol' },
  ]);
});
