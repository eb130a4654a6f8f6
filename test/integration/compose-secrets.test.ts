/**
 * Secrets and configs that are not files, against a private berthd and a
 * private dockerd 20.10: a secret from `environment`, configs from
 * `environment` and `content` (interpolated), written into the container
 * before it starts at compose v2's places and modes, beside a file-based
 * secret; and the errors compose v2 gives, before anything is created, for
 * `external` ones (swarm only) and for an environment variable that is not set.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, LOOP, type Target } from './compose-helpers.js';

const PROJECT = 'csproj';

async function writeProject(t: Target, extra: { secrets?: object; configs?: object } = {}): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), JSON.stringify({
    name: PROJECT,
    services: {
      app: {
        image: 'busybox:latest',
        command: LOOP,
        secrets: ['token', 'api_key', { source: 'api_key', target: '/etc/key', mode: 0o400 }, ...Object.keys(extra.secrets ?? {})],
        configs: ['inline', { source: 'from_env', target: '/etc/app.conf' }, ...Object.keys(extra.configs ?? {})],
      },
    },
    secrets: { token: { file: './token.txt' }, api_key: { environment: 'API_KEY' }, ...extra.secrets },
    configs: { inline: { content: 'debug=${DEBUG_FLAG}\n' }, from_env: { environment: 'APP_CONF' }, ...extra.configs },
  }));
}

async function scenario(t: Target): Promise<void> {
  await writeFile(join(t.dir, 'token.txt'), 'from a file\n');
  await writeFile(join(t.dir, '.env'), 'API_KEY=s3cr3t\nAPP_CONF=listen=80\nDEBUG_FLAG=yes\n');
  const noNetwork = () => assert.ok(!t.berth(['network', 'ls', '--format', '{{.Name}}']).stdout.includes(PROJECT), 'nothing is created');

  for (const [extra, message] of [
    [{ secrets: { shared: { external: true } } }, 'unsupported external secret shared'],
    [{ configs: { common: { external: true, name: 'common_conf' } } }, 'unsupported external config common_conf'],
    [{ secrets: { unset: { environment: 'BERTH_TEST_UNSET' } } }, `environment variable "BERTH_TEST_UNSET" required by secret "${PROJECT}_unset" is not set`],
  ] as const) {
    await writeProject(t, extra);
    const failed = t.composeRaw(['up', '-d']);
    assert.notEqual(failed.code, 0);
    assert.ok(failed.stderr.includes(message), failed.stderr);
    noNetwork();
  }

  await writeProject(t);
  t.compose(['up', '-d']);
  const app = `${PROJECT}-app-1`;
  const shell = (script: string) => {
    const r = t.berth(['exec', app, 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(shell('cat /run/secrets/token'), 'from a file\n');
  assert.equal(shell('cat /run/secrets/api_key'), 's3cr3t');
  assert.equal(shell('cat /etc/key'), 's3cr3t');
  assert.equal(shell('cat /inline'), 'debug=yes\n');
  assert.equal(shell('cat /etc/app.conf'), 'listen=80');
  assert.equal(shell('stat -c %a:%u /run/secrets/api_key /etc/key /inline'), '444:0\n400:0\n444:0\n');
  // Written into the container, they stay across a restart.
  t.compose(['restart', '-t', '2']);
  assert.equal(shell('cat /run/secrets/api_key'), 's3cr3t');
}

composeSuite('berth compose secrets and configs from environment and content', scenario);
