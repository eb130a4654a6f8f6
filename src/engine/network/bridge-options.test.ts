import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../lib/errors.js';
import { checkBridgeOptions, masquerades } from './bridge-options.js';

describe('bridge driver options', () => {
  it('parses the booleans and the binding address as the bridge driver does, in its words', () => {
    assert.throws(() => checkBridgeOptions({ 'com.docker.network.bridge.enable_icc': 'x' }), {
      message: 'failed to parse com.docker.network.bridge.enable_icc value: x (strconv.ParseBool: parsing "x": invalid syntax)',
    });
    assert.throws(() => checkBridgeOptions({ 'com.docker.network.bridge.enable_ip_masquerade': 'yes' }), /strconv.ParseBool: parsing "yes"/);
    assert.throws(() => checkBridgeOptions({ 'com.docker.network.bridge.host_binding_ipv4': 'nope' }), {
      message: 'failed to parse com.docker.network.bridge.host_binding_ipv4 value: nope (nil ip)',
    });
    assert.doesNotThrow(() => checkBridgeOptions({ 'com.docker.network.bridge.enable_icc': 'T', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0' }));
    assert.doesNotThrow(() => checkBridgeOptions(undefined));
  });

  it('refuses what berth does not do, naming it, instead of ignoring it', () => {
    const unsupported: Record<string, string>[] = [{ 'com.docker.network.bridge.enable_icc': 'false' }, { 'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1' }];
    for (const options of unsupported) {
      assert.throws(() => checkBridgeOptions(options), (err) => isEngineError(err, 'notImplemented') && /is not supported by berth/.test(err.message));
    }
  });

  it('masquerades unless enable_ip_masquerade is false', () => {
    assert.equal(masquerades({}), true);
    assert.equal(masquerades({ 'com.docker.network.bridge.enable_ip_masquerade': 'true' }), true);
    assert.equal(masquerades({ 'com.docker.network.bridge.enable_ip_masquerade': '0' }), false);
  });
});
