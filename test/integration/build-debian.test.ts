/**
 * The seed notes' Dockerfile examples on a real distribution: a Debian
 * bookworm minbase image (made once with debootstrap and cached, see
 * scripts/debian-rootfs.sh), apt-get in RUN steps through the build's NAT,
 * then the images run with published ports. Kept apart from build.test.ts
 * because it needs Debian's archive and takes a minute or two.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianRootfs, DOCKER_CLI, run, TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const APT_TIMEOUT_MS = 600_000;

describe('Dockerfiles with apt-get on a Debian base image', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let scratch: string;
  const docker = (...args: string[]) => daemon.docker(args);

  async function context(name: string, dockerfile: string): Promise<string> {
    const dir = join(scratch, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), dockerfile);
    return dir;
  }

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-build-debian-'));
    const imported = docker('import', await debianRootfs(), 'debian:bookworm');
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('RUN apt-get install nginx-light, then the image serves a page on a published port', async () => {
    const dir = await context('nginx', [
      'FROM debian:bookworm',
      'RUN apt-get update',
      'RUN DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light',
      'RUN echo "hello from a berth-built nginx" > /var/www/html/index.html',
      'EXPOSE 80',
      'CMD ["nginx", "-g", "daemon off;"]',
    ].join('\n'));
    const built = daemon.dockerBuild(['-t', 'web:nginx', dir], undefined, APT_TIMEOUT_MS);
    assert.equal(built.code, 0, `${built.stdout}\n${built.stderr}`);
    assert.match(built.stdout, /Setting up nginx-light/);
    const id = docker('run', '-d', '-p', '127.0.0.1::80', 'web:nginx').stdout.trim();
    const port = docker('port', id, '80/tcp').stdout.trim().split(':').pop();
    assert.match(port ?? '', /^\d+$/);
    let page = '';
    for (let i = 0; i < 50 && !page.includes('hello'); i++) {
      page = run('curl', ['-fsS', '--max-time', '2', `http://127.0.0.1:${port}/`]).stdout;
      if (!page.includes('hello')) await sleep(200);
    }
    assert.equal(page, 'hello from a berth-built nginx\n');
  });

  test('the sshd-style image: several RUN steps, the first one from the cache', async () => {
    const dir = await context('sshd', [
      'FROM debian:bookworm',
      'RUN apt-get update',
      'RUN DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server',
      'RUN mkdir -p /var/run/sshd',
      "RUN echo 'root:screencast' | chpasswd",
      'EXPOSE 22',
      'CMD ["/usr/sbin/sshd", "-D"]',
    ].join('\n'));
    const built = daemon.dockerBuild(['-t', 'sshd', dir], undefined, APT_TIMEOUT_MS);
    assert.equal(built.code, 0, `${built.stdout}\n${built.stderr}`);
    assert.match(built.stdout, /Step 2\/7 : RUN apt-get update\n ---> Using cache\n/, 'apt-get update is shared with the nginx build');
    const id = docker('run', '-d', 'sshd').stdout.trim();
    const ip = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', id).stdout.trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    let banner = '';
    for (let i = 0; i < 50 && !banner.startsWith('SSH-2.0-OpenSSH'); i++) {
      banner = run('timeout', ['2', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/22 && head -1 <&3`]).stdout;
      if (!banner.startsWith('SSH-2.0-OpenSSH')) await sleep(200);
    }
    assert.match(banner, /^SSH-2\.0-OpenSSH/);
  });
});
