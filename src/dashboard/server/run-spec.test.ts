import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../lib/errors.js';
import { createRequest, splitCommand } from './run-spec.js';

const invalid = (fn: () => unknown, message: RegExp) => assert.throws(fn, (err) => isEngineError(err, 'invalid') && message.test(err.message));

describe('run form', () => {
  test('commands split into words like a shell, without expansion', () => {
    assert.deepEqual(splitCommand('  httpd -f   -p 8080 '), ['httpd', '-f', '-p', '8080']);
    assert.deepEqual(splitCommand(`sh -c "echo \\"hi\\" > /tmp/x && cat \\$HOME"`), ['sh', '-c', 'echo "hi" > /tmp/x && cat $HOME']);
    assert.deepEqual(splitCommand(`echo 'a "b" \\c' a\\ b "" x''y`), ['echo', 'a "b" \\c', 'a b', '', 'xy']);
    assert.deepEqual(splitCommand('echo "a\\nb"'), ['echo', 'a\\nb'], 'inside double quotes a backslash only escapes " \\ $ `');
    invalid(() => splitCommand('echo "open'), /unclosed double quote/);
    invalid(() => splitCommand("echo 'open"), /unclosed single quote/);
    invalid(() => splitCommand('echo \\'), /lone backslash/);
  });

  test('a full form becomes the create request docker run would send', () => {
    const { name, body } = createRequest({
      image: ' bb:latest ', name: 'web', command: 'httpd -f -p 8080', env: ['A=1', ' ', 'B='],
      ports: [{ hostIp: '127.0.0.1', hostPort: '18080', containerPort: '8080' }, { containerPort: '53', protocol: 'udp' }, { hostPort: '18081', containerPort: '8080' }],
      volumes: ['/srv:/www:ro', ''], network: 'front', restart: 'on-failure', maxRetries: 3, memoryMiB: 64, cpus: 0.5,
    });
    assert.equal(name, 'web');
    assert.deepEqual(body, {
      Image: 'bb:latest',
      Cmd: ['httpd', '-f', '-p', '8080'],
      Env: ['A=1', 'B='],
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      HostConfig: {
        Binds: ['/srv:/www:ro'],
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }, { HostIp: '', HostPort: '18081' }], '53/udp': [{ HostIp: '', HostPort: '' }] },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        Memory: 64 * 1024 * 1024,
        NanoCpus: 500_000_000,
        NetworkMode: 'front',
      },
      NetworkingConfig: { EndpointsConfig: {} },
    });
  });

  test('an image alone: the image\'s own command, no limits, the default network', () => {
    const { name, body } = createRequest({ image: 'bb', command: '  ', name: '', restart: 'always', maxRetries: 5 });
    assert.equal(name, undefined);
    assert.equal(body.Cmd, undefined);
    assert.equal(body.HostConfig.NetworkMode, undefined);
    assert.deepEqual(body.HostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 }, 'retries only count for on-failure');
    assert.equal(body.HostConfig.Memory, 0);
    assert.equal(body.HostConfig.NanoCpus, 0);
  });

  test('what the form can judge itself is refused with a reason', () => {
    invalid(() => createRequest({ image: ' ' }), /an image is needed/);
    invalid(() => createRequest({ image: 'bb', ports: [{ containerPort: '70000' }] }), /container port must be a number from 1 to 65535, not "70000"/);
    invalid(() => createRequest({ image: 'bb', ports: [{ containerPort: '80', hostPort: 'http' }] }), /host port/);
    invalid(() => createRequest({ image: 'bb', ports: [{ containerPort: '80', protocol: 'icmp' as 'tcp' }] }), /unknown protocol: icmp/);
    invalid(() => createRequest({ image: 'bb', restart: 'sometimes' as 'no' }), /unknown restart policy: sometimes/);
    invalid(() => createRequest({ image: 'bb', memoryMiB: -1 }), /memory limit must be a positive number/);
    invalid(() => createRequest({ image: 'bb', env: ['=x'] }), /invalid environment variable: =x/);
    invalid(() => createRequest({ image: 'bb', env: 'A=1' as unknown as string[] }), /env must be a list of strings/);
  });
});
