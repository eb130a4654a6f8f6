import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddr, resolveConfig, settingsFromEnv, settingsFromYaml } from './config.js';

describe('registry config', () => {
  it('reads distribution\'s YAML keys', async () => {
    const settings = await settingsFromYaml(
      [
        'version: 0.1',
        'log:',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        '    rootdirectory: /srv/registry',
        '  delete:',
        '    enabled: true',
        'http:',
        '  addr: 127.0.0.1:5001',
        '  tls:',
        '    certificate: /c.pem',
        '    key: /k.pem',
        'auth:',
        '  htpasswd:',
        '    realm: Registry Realm',
        '    path: /auth/htpasswd',
      ].join('\n'),
      'config.yml',
    );
    assert.deepEqual(resolveConfig(settings), {
      host: '127.0.0.1',
      port: 5001,
      root: '/srv/registry',
      deleteEnabled: true,
      accessLog: false,
      tls: { cert: '/c.pem', key: '/k.pem' },
      auth: { path: '/auth/htpasswd', realm: 'Registry Realm', allowPlainHttp: false },
    });
  });

  it('takes the seed notes\' environment variables', () => {
    const settings = settingsFromEnv({
      REGISTRY_AUTH: 'htpasswd',
      REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
      REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
      REGISTRY_HTTP_ADDR: ':5000',
      REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      PATH: '/usr/bin',
    });
    const config = resolveConfig(settings, true);
    assert.deepEqual(config.auth, { path: '/auth/htpasswd', realm: 'Registry Realm', allowPlainHttp: false });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 5000);
    assert.equal(config.deleteEnabled, true);
    assert.equal(config.root, '/var/lib/berth-registry');
  });

  it('refuses what it does not understand, with the setting named', async () => {
    await assert.rejects(settingsFromYaml('storage:\n  s3:\n    bucket: x\n', 'c.yml'), /c\.yml: unknown setting "storage\.s3\.bucket"/);
    assert.throws(() => settingsFromEnv({ REGISTRY_AUTH: 'token' }), /REGISTRY_AUTH: only htpasswd is supported/);
    assert.throws(() => settingsFromEnv({ REGISTRY_HTTP_SECRETS: 'x' }), /unknown setting "http\.secrets"/);
    assert.throws(() => settingsFromEnv({ REGISTRY_STORAGE_DELETE_ENABLED: 'yes' }), /must be true or false/);
    await assert.rejects(settingsFromYaml('http: [', 'bad.yml'), /bad\.yml/);
    assert.throws(() => resolveConfig({}, true), /htpasswd auth needs a password file/);
    assert.throws(() => resolveConfig({ 'http.tls.certificate': '/c.pem' }), /both a certificate and a key/);
  });

  it('parses listen addresses', () => {
    assert.deepEqual(parseAddr(':5000'), { host: '0.0.0.0', port: 5000 });
    assert.deepEqual(parseAddr('localhost:0'), { host: 'localhost', port: 0 });
    assert.deepEqual(parseAddr('[::1]:5000'), { host: '::1', port: 5000 });
    assert.throws(() => parseAddr('5000'), /invalid listen address/);
    assert.throws(() => parseAddr(':70000'), /invalid listen address/);
  });
  it('turns on the console with its own settings, never together with htpasswd', () => {
    assert.deepEqual(resolveConfig({ 'console.enabled': true, 'console.tokenexpiry': '60', 'console.adminpasswordfile': '/pw' }).console, {
      adminPasswordFile: '/pw',
      tokenTtlSeconds: 60,
      allowPlainHttp: false,
      replicationParallel: 4,
    });
    assert.equal(resolveConfig({ 'console.enabled': true }).console?.tokenTtlSeconds, 300);
    assert.equal(resolveConfig({}).console, undefined);
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'auth.htpasswd.path': '/h' }), /cannot be combined with htpasswd/);
    assert.throws(() => resolveConfig({ 'console.adminpasswordfile': '/pw' }), /need --console/);
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'console.tokenexpiry': '0' }), /invalid token expiry/);
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'console.tokenexpiry': '5m' }), /invalid token expiry/);
    const proxied = resolveConfig({ 'console.enabled': true, 'console.tokenrealm': 'https://registry.example.com/service/token', 'console.tokenservice': 'registry.example.com' }).console;
    assert.equal(proxied?.tokenRealm, 'https://registry.example.com/service/token');
    assert.equal(proxied?.tokenService, 'registry.example.com');
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'console.tokenrealm': 'registry.example.com/token' }), /invalid token realm/);
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'console.tokenrealm': 'https://x/"token' }), /invalid token realm/);
    assert.throws(() => resolveConfig({ 'console.enabled': true, 'console.tokenservice': 'a "b"' }), /invalid token service/);
    assert.throws(() => resolveConfig({ 'console.tokenrealm': 'https://x/t' }), /need --console/);
  });
  it('takes the number of replication executions run at once from replication.parallel (YAML, env, --replication-parallel)', async () => {
    const yaml = await settingsFromYaml('console:\n  enabled: true\nreplication:\n  parallel: 2\n', 'config.yml');
    assert.equal(resolveConfig(yaml).console?.replicationParallel, 2);
    assert.equal(resolveConfig({ 'console.enabled': true, ...settingsFromEnv({ REGISTRY_REPLICATION_PARALLEL: '16' }) }).console?.replicationParallel, 16);
    for (const bad of ['0', '65', '1.5', 'many']) {
      assert.throws(() => resolveConfig({ 'console.enabled': true, 'replication.parallel': bad }), /invalid replication\.parallel/, bad);
    }
    assert.throws(() => resolveConfig({ 'replication.parallel': '2' }), /need --console/);
  });
});
