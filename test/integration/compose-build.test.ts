/**
 * `berth compose build`, `up --build` and `down --rmi local`, against a
 * private berthd and a private dockerd 20.10 (POST /build, the classic
 * builder): the image is `<project>-<service>`, the service's build args,
 * labels and target are used, `--build-arg` overrides an arg, `up` builds
 * only a missing image unless told to, a rebuilt image recreates the
 * container, and `down --rmi local` removes what compose built and nothing else.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, lines, LOOP, type Target } from './compose-helpers.js';

const PROJECT = 'cbproj';
const IMAGE = `${PROJECT}-app`;

const DOCKERFILE = [
  'FROM busybox:latest AS base',
  'ARG GREETING=default',
  'RUN echo "$GREETING" > /greeting',
  'FROM base AS final',
  'RUN touch /final',
  '',
].join('\n');

async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'app'), { recursive: true });
  await writeFile(join(dir, 'app', 'Dockerfile'), DOCKERFILE);
  await writeFile(join(dir, 'compose.yaml'), JSON.stringify({
    name: PROJECT,
    services: {
      app: { build: { context: './app', args: { GREETING: 'hello' }, labels: { 'org.berth.test': 'built' }, target: 'base' }, command: LOOP },
      plain: { image: 'busybox:latest', command: LOOP },
    },
  }));
}

async function scenario(t: Target): Promise<void> {
  await writeProject(t.dir);
  const inImage = (cmd: string) => t.berth(['run', '--rm', IMAGE, 'sh', '-c', cmd]);

  const built = t.compose(['build']);
  assert.ok(lines(built.stderr).includes('Service app Built'), built.stderr);
  assert.match(built.stdout, /Step 1\/\d+ : FROM busybox:latest AS base/);
  assert.equal(t.inspect(IMAGE, '{{index .Config.Labels "org.berth.test"}}', 'image'), 'built');
  assert.equal(inImage('cat /greeting').stdout.trim(), 'hello');
  assert.notEqual(inImage('test -e /final').code, 0, 'the build stopped at target "base"');

  t.compose(['build', '-q', '--build-arg', 'GREETING=override', 'app']);
  assert.equal(inImage('cat /greeting').stdout.trim(), 'override');

  // The image exists: up does not build it again.
  const up = t.compose(['up', '-d']);
  assert.ok(!up.stderr.includes('Building'), up.stderr);
  assert.equal(t.inspect(`${PROJECT}-app-1`, '{{.Config.Image}}'), IMAGE);
  const before = t.inspect(`${PROJECT}-app-1`, '{{.Id}}');

  // --build rebuilds (with the file's args again): a new image, so the container is recreated; plain is left alone.
  const rebuilt = lines(t.compose(['up', '-d', '--build']).stderr);
  assert.ok(rebuilt.includes('Service app Built') && rebuilt.includes(`Container ${PROJECT}-app-1 Recreated`) && rebuilt.includes(`Container ${PROJECT}-plain-1 Running`), rebuilt.join('\n'));
  assert.notEqual(t.inspect(`${PROJECT}-app-1`, '{{.Id}}'), before);
  assert.equal(t.berth(['exec', `${PROJECT}-app-1`, 'cat', '/greeting']).stdout.trim(), 'hello');

  const down = lines(t.compose(['down', '--rmi', 'local', '-t', '0']).stderr);
  assert.ok(down.includes(`Image ${IMAGE} Removed`), down.join('\n'));
  assert.equal(t.berth(['image', 'inspect', IMAGE]).code, 1, 'the built image is gone');
  assert.equal(t.berth(['image', 'inspect', 'busybox:latest']).code, 0, 'an image the file names is kept by --rmi local');
  const bad = t.composeRaw(['down', '--rmi', 'some']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid value for --rmi: "some"/);

  // What only BuildKit does is refused by name, not left out of the build (compose v2's classic builder alike).
  for (const [key, value, words] of [['secrets', ['s'], 'secrets'], ['ssh', ['default'], 'SSH keys'], ['additional_contexts', { more: './app' }, 'additional contexts']] as const) {
    await writeFile(join(t.dir, 'buildkit.yaml'), JSON.stringify({
      name: `${PROJECT}bk`,
      services: { app: { build: { context: './app', [key]: value } } },
      secrets: { s: { file: './app/Dockerfile' } },
    }));
    const refused = t.berth(['compose', '-f', join(t.dir, 'buildkit.yaml'), 'build']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`service "app": the classic builder doesn't support ${words}`));
  }
}

composeSuite('berth compose build', scenario);
