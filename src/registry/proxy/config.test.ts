import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, settingsFromEnv, settingsFromYaml } from '../config.js';

describe('proxy settings', () => {
  it('reads distribution’s proxy section, with berth’s tagttl', async () => {
    const s = await settingsFromYaml('proxy:\n  remoteurl: https://upstream:5000\n  username: u\n  password: p\n  tagttl: 0\n  ttl: 1h30m\n', 'x.yml');
    assert.deepEqual(resolveConfig(s).proxy, { remoteUrl: 'https://upstream:5000', username: 'u', password: 'p', tagTtlSeconds: 0, ttlSeconds: 5400 });
    const fromEnv = resolveConfig(settingsFromEnv({ REGISTRY_PROXY_REMOTEURL: 'http://127.0.0.1:5001' })).proxy;
    assert.equal(fromEnv?.tagTtlSeconds, 60);
    // distribution's default: a week.
    assert.equal(fromEnv?.ttlSeconds, 168 * 3600);
    assert.equal(resolveConfig(settingsFromEnv({ REGISTRY_PROXY_REMOTEURL: 'http://x', REGISTRY_PROXY_TTL: '0' })).proxy?.ttlSeconds, 0);
    assert.equal(resolveConfig({}).proxy, undefined);
  });

  it('refuses what it cannot use', () => {
    assert.throws(() => resolveConfig({ 'proxy.remoteurl': 'ftp://x' }), /remoteurl/);
    assert.throws(() => resolveConfig({ 'proxy.remoteurl': 'http://x/path' }), /remoteurl/);
    assert.throws(() => resolveConfig({ 'proxy.username': 'u' }), /need proxy.remoteurl/);
    assert.throws(() => resolveConfig({ 'proxy.remoteurl': 'http://x', 'proxy.tagttl': 'soon' }), /tagttl/);
    assert.throws(() => resolveConfig({ 'proxy.remoteurl': 'http://x', 'proxy.ttl': '168' }), /proxy.ttl/);
    assert.throws(() => resolveConfig({ 'proxy.ttl': '1h' }), /need proxy.remoteurl/);
  });
});
