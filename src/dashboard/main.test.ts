import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFrom, parseAddr, parseServeArgs } from './main.js';
import { loadHostsFile } from './server/host-config.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dash-main-'));
  dirs.push(dir);
  return dir;
}

test('flags and addresses', () => {
  assert.deepEqual(parseServeArgs(['--addr', ':9000', '--data=/d']), { '--addr': ':9000', '--data': '/d' });
  assert.throws(() => parseServeArgs(['--nope']), /unknown flag/);
  assert.throws(() => parseServeArgs(['--addr']), /needs an argument/);
  assert.deepEqual(parseAddr(':9000'), { host: '0.0.0.0', port: 9000 });
  assert.deepEqual(parseAddr('[::1]:80'), { host: '::1', port: 80 });
  assert.throws(() => parseAddr('localhost'), /expected HOST:PORT/);
});

test('the admin password comes from the file, else the environment, and must have 8 characters', async () => {
  const dir = await temp();
  await writeFile(join(dir, 'pw'), 'from the file\n');
  assert.equal((await configFrom({ '--admin-password-file': join(dir, 'pw') }, { BERTH_DASHBOARD_ADMIN_PASSWORD: 'from env!' })).adminPassword, 'from the file');
  assert.equal((await configFrom({}, { BERTH_DASHBOARD_ADMIN_PASSWORD: 'from env!' })).adminPassword, 'from env!');
  assert.equal((await configFrom({}, {})).adminPassword, undefined);
  await assert.rejects(configFrom({}, { BERTH_DASHBOARD_ADMIN_PASSWORD: 'seven77' }), /at least 8 characters/);
  await assert.rejects(configFrom({ '--tls-cert': 'c.pem' }, {}), /go together/);
});

test('--hosts: a YAML list of name, host and TLS files', async () => {
  const dir = await temp();
  const file = join(dir, 'hosts.yml');
  await writeFile(file, '- name: local\n  host: unix:///run/berth/berth.sock\n- name: remote\n  host: tcp://10.0.0.2:2376\n  tlscacert: /c/ca.pem\n  tlscert: /c/cert.pem\n  tlskey: /c/key.pem\n');
  assert.deepEqual(await loadHostsFile(file), [
    { name: 'local', host: 'unix:///run/berth/berth.sock' },
    { name: 'remote', host: 'tcp://10.0.0.2:2376', tlscacert: '/c/ca.pem', tlscert: '/c/cert.pem', tlskey: '/c/key.pem' },
  ]);
  await writeFile(file, '- name: a\n  host: ftp://x\n');
  await assert.rejects(loadHostsFile(file), /unsupported protocol scheme/);
  await writeFile(file, '- name: a\n  host: unix:///a\n- name: a\n  host: unix:///b\n');
  await assert.rejects(loadHostsFile(file), /listed twice/);
  await writeFile(file, '- name: a\n  host: tcp://h:1\n  tlscert: /c.pem\n');
  await assert.rejects(loadHostsFile(file), /go together/);
});
