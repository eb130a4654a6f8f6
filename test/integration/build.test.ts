/**
 * The classic builder through berthd, driven by the real docker CLI with
 * DOCKER_BUILDKIT=0 (the legacy builder client) and by the berth CLI: every
 * instruction, the cache, multi-stage builds, build options, and hostile
 * contexts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, run, TestDaemon } from './harness.js';
import { serveDirectory } from './serve-directory.js';

type Files = Record<string, string | { content: string; mode: number } | { symlink: string }>;

describe('docker build (classic builder) against berthd', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let scratch: string;
  let counter = 0;
  const docker = (...args: string[]) => daemon.docker(args);
  const build = (args: string[], input?: string | Buffer) => daemon.dockerBuild(args, input);

  /** A fresh context directory with the given files. */
  async function context(files: Files): Promise<string> {
    const dir = join(scratch, `ctx${counter++}`);
    await mkdir(dir, { recursive: true });
    for (const [name, spec] of Object.entries(files)) {
      const path = join(dir, name);
      await mkdir(join(path, '..'), { recursive: true });
      if (typeof spec === 'string') await writeFile(path, spec);
      else if ('symlink' in spec) await symlink(spec.symlink, path);
      else {
        await writeFile(path, spec.content);
        await chmod(path, spec.mode);
      }
    }
    return dir;
  }

  const inspect = (image: string, format: string) => docker('image', 'inspect', '-f', format, image).stdout.trim();
  const ok = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    return r;
  };

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-build-'));
    ok(docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest'));
  });
  after(async () => {
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('a multi-step build prints the classic output, and the image runs', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nENV GREETING=hello\nRUN echo "building $GREETING" && echo made > /made.txt\nCOPY app.sh /app/\nWORKDIR /app\nCMD ["sh", "app.sh"]\n',
      'app.sh': 'echo "$GREETING from $(pwd) $(cat /made.txt)"\n',
    });
    const r = ok(build(['-t', 'first:1', dir]));
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('Step 1/6 : FROM busybox'), r.stdout);
    assert.ok(lines.includes('Step 3/6 : RUN echo "building $GREETING" && echo made > /made.txt'), r.stdout);
    assert.ok(lines.includes('building hello'), 'RUN output is streamed');
    assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Removing intermediate container [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged first:1\n/);
    assert.equal(ok(docker('run', '--rm', 'first:1')).stdout, 'hello from /app made\n');
    assert.equal(docker('ps', '-a', '-q').stdout.trim(), '', 'no intermediate containers are left');
  });

  test('the image config carries every metadata instruction, history has empty layers', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox',
        'MAINTAINER Jane <jane@example.com>',
        'LABEL version="1.0" description="a test image"',
        'ENV A=1 B="two words"',
        'ENV C $A-$B',
        'EXPOSE 80 53/udp 8000-8001',
        'VOLUME /data',
        'VOLUME ["/cache"]',
        'USER nobody',
        'WORKDIR /srv',
        'WORKDIR sub',
        'STOPSIGNAL SIGUSR1',
        'HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD echo ok',
        'SHELL ["/bin/sh", "-ec"]',
        'ONBUILD RUN echo triggered',
        'ENTRYPOINT ["echo"]',
        'CMD hello world',
      ].join('\n'),
    });
    ok(build(['-t', 'meta:1', dir]));
    const config = JSON.parse(inspect('meta:1', '{{json .Config}}'));
    assert.deepEqual(config.Labels, { version: '1.0', description: 'a test image' });
    assert.ok(config.Env.includes('A=1') && config.Env.includes('B=two words') && config.Env.includes('C=1-two words'), config.Env);
    assert.deepEqual(Object.keys(config.ExposedPorts).sort(), ['53/udp', '80/tcp', '8000/tcp', '8001/tcp']);
    assert.deepEqual(Object.keys(config.Volumes).sort(), ['/cache', '/data']);
    assert.equal(config.User, 'nobody');
    assert.equal(config.WorkingDir, '/srv/sub');
    assert.equal(config.StopSignal, 'SIGUSR1');
    assert.deepEqual(config.Healthcheck, { Test: ['CMD-SHELL', 'echo ok'], Interval: 5e9, Timeout: 2e9, Retries: 4 });
    assert.deepEqual(config.Shell, ['/bin/sh', '-ec']);
    assert.deepEqual(config.OnBuild, ['RUN echo triggered']);
    assert.deepEqual(config.Entrypoint, ['echo']);
    assert.deepEqual(config.Cmd, ['/bin/sh', '-ec', 'hello world']);
    assert.equal(inspect('meta:1', '{{.Author}}'), 'Jane <jane@example.com>');
    const history = docker('history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', 'meta:1').stdout.trim().split('\n');
    assert.equal(history[0], '/bin/sh -ec #(nop)  CMD ["/bin/sh" "-ec" "hello world"]|0B');
    assert.ok(history.some((h) => h.startsWith('/bin/sh -c #(nop)  WORKDIR /srv/sub|')), history.join('\n'));
    // Only the WORKDIR steps that made a directory added layers; the rest are empty ones.
    const layers = JSON.parse(inspect('meta:1', '{{json .RootFS.Layers}}')) as string[];
    assert.equal(layers.length, 1 + 2, 'busybox + the two WORKDIR directories');
  });

  test('ENTRYPOINT and CMD, including inheritance from a parent image', async () => {
    ok(build(['-t', 'ep-parent', await context({ Dockerfile: 'FROM busybox\nENTRYPOINT ["echo", "entry"]\nCMD ["default"]\n' })]));
    assert.equal(docker('run', '--rm', 'ep-parent').stdout, 'entry default\n');
    assert.equal(docker('run', '--rm', 'ep-parent', 'given').stdout, 'entry given\n');
    ok(build(['-t', 'ep-child-cmd', await context({ Dockerfile: 'FROM ep-parent\nCMD ["child"]\n' })]));
    assert.equal(docker('run', '--rm', 'ep-child-cmd').stdout, 'entry child\n', 'ENTRYPOINT is inherited');
    ok(build(['-t', 'ep-child-ep', await context({ Dockerfile: 'FROM ep-parent\nENTRYPOINT ["echo", "new"]\n' })]));
    assert.equal(docker('run', '--rm', 'ep-child-ep').stdout, 'new\n', 'a new ENTRYPOINT drops the inherited CMD');
    ok(build(['-t', 'ep-shell', await context({ Dockerfile: 'FROM busybox\nENTRYPOINT echo shell-form\nCMD ["ignored"]\n' })]));
    assert.equal(docker('run', '--rm', 'ep-shell').stdout, 'shell-form\n', 'shell-form ENTRYPOINT ignores CMD');
    assert.equal(docker('run', '--rm', 'ep-shell', 'also-ignored').stdout, 'shell-form\n', 'and arguments');
  });

  test('the cache: a rebuild uses it for every step; editing a file rebuilds from its COPY down', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\nCOPY b.txt /b.txt\n',
      'a.txt': 'a1\n',
      'b.txt': 'b1\n',
    });
    const first = ok(build(['-t', 'cached', dir]));
    assert.doesNotMatch(first.stdout, /Using cache/);
    const id = inspect('cached', '{{.Id}}');
    const second = ok(build(['-t', 'cached', dir]));
    assert.equal(second.stdout.match(/Using cache/g)?.length, 4, second.stdout);
    assert.equal(inspect('cached', '{{.Id}}'), id, 'the same image');
    await writeFile(join(dir, 'b.txt'), 'b2\n');
    const third = ok(build(['-t', 'cached', dir]));
    assert.equal(third.stdout.match(/Using cache/g)?.length, 3, 'steps before the changed COPY are cached');
    await writeFile(join(dir, 'a.txt'), 'a2\n');
    const fourth = ok(build(['-t', 'cached', dir]));
    assert.equal(fourth.stdout.match(/Using cache/g)?.length, 1, 'only the first RUN is cached');
    assert.equal(docker('run', '--rm', 'cached', 'cat', '/copy', '/b.txt').stdout, 'a2\nb2\n');
    await chmod(join(dir, 'a.txt'), 0o600);
    assert.equal(ok(build([dir])).stdout.match(/Using cache/g)?.length, 1, 'a mode change is a change');
    assert.doesNotMatch(ok(build(['--no-cache', dir])).stdout, /Using cache/);
  });

  test('build args: defaults, --build-arg, meta args in FROM, scope, cache key, unused warning', async () => {
    const dir = await context({
      Dockerfile: [
        'ARG BASE=busybox',
        'FROM ${BASE}',
        'ARG WHO=world',
        'ARG BASE',
        'RUN echo "hello $WHO on $BASE" > /greeting',
        'ENV WHO=env-wins',
        'RUN echo "$WHO" > /env',
      ].join('\n'),
    });
    const r = ok(build(['-t', 'args', '--build-arg', 'WHO=berth', '--build-arg', 'UNUSED=1', dir]));
    assert.match(r.stdout, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
    assert.equal(docker('run', '--rm', 'args', 'cat', '/greeting', '/env').stdout, 'hello berth on busybox\nenv-wins\n');
    const again = ok(build(['-t', 'args', '--build-arg', 'WHO=other', dir]));
    assert.equal(again.stdout.match(/Using cache/g)?.length, 2, 'the ARG steps hit; the RUN that sees the new value misses');
    assert.match(docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', 'args').stdout, /\|2 BASE=busybox WHO=other \/bin\/sh -c echo "hello \$WHO on \$BASE" > \/greeting/);
    assert.equal(docker('run', '--rm', 'args', 'sh', '-c', 'echo "[$WHO]"').stdout, '[env-wins]\n', 'ARG values are not in the image');
  });

  test('USER and COPY --chown resolve names in the image; --chmod sets modes', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox',
        'RUN echo "app:x:1234:2345::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:2345:" >> /etc/group',
        'COPY --chown=app:app f.txt /home/app/',
        'COPY --chown=1001 f.txt /n/',
        'COPY --chmod=640 f.txt /m.txt',
        'USER app',
        'RUN id -u > /tmp/uid',
      ].join('\n'),
      'f.txt': 'x',
    });
    ok(build(['-t', 'owners', dir]));
    const stat = docker('run', '--rm', 'owners', 'stat', '-c', '%u:%g %a %n', '/home/app', '/home/app/f.txt', '/n/f.txt', '/m.txt', '/tmp/uid').stdout;
    assert.equal(stat, '1234:2345 755 /home/app\n1234:2345 644 /home/app/f.txt\n1001:1001 644 /n/f.txt\n0:0 640 /m.txt\n1234:2345 644 /tmp/uid\n');
    const bad = build([await context({ Dockerfile: 'FROM busybox\nCOPY --chown=nosuchuser Dockerfile /\n' })]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unable to find user nosuchuser/);
  });

  test('COPY and ADD: directories, wildcards, trailing slashes, archives and URLs', async () => {
    const tarDir = await context({ 'inner/x.txt': 'from tar\n' });
    const tarFile = join(scratch, 'payload.tar.gz');
    ok(run('tar', ['-czf', tarFile, '-C', tarDir, 'inner']));
    const www = await context({ 'files/remote.txt': 'downloaded content\n' });
    const server = await serveDirectory(www);
    const port = server.port;
    try {
      const dir = await context({
        Dockerfile: [
          'FROM busybox',
          'COPY dir /copied-dir',
          'COPY *.md /docs/',
          'COPY one.md /renamed.md',
          'COPY one.md /existing-dir',
          'ADD payload.tar.gz /unpacked',
          `ADD http://127.0.0.1:${port}/files/remote.txt /downloads/`,
          `ADD http://127.0.0.1:${port}/files/remote.txt /downloaded-as`,
        ].join('\n').replace('COPY one.md /existing-dir', 'RUN mkdir /existing-dir\nCOPY one.md /existing-dir'),
        'dir/a/b.txt': 'deep\n',
        'dir/top.txt': 'top\n',
        'one.md': '1\n',
        'two.md': '2\n',
      });
      await writeFile(join(dir, 'payload.tar.gz'), await readFile(tarFile));
      ok(build(['-t', 'copies', dir]));
      const out = docker('run', '--rm', 'copies', 'sh', '-c',
        'cat /copied-dir/a/b.txt /copied-dir/top.txt /docs/one.md /docs/two.md /renamed.md /existing-dir/one.md /unpacked/inner/x.txt /downloads/remote.txt /downloaded-as; stat -c %a /downloaded-as').stdout;
      assert.equal(out, 'deep\ntop\n1\n2\n1\n1\nfrom tar\ndownloaded content\ndownloaded content\n600\n');
      const multi = build([await context({ Dockerfile: 'FROM busybox\nCOPY a b /dest\n', a: '', b: '' })]);
      assert.equal(multi.code, 1);
      assert.match(multi.stderr, /When using COPY with more than one source file, the destination must be a directory and end with a \//);
      const missing = build([await context({ Dockerfile: 'FROM busybox\nCOPY nothere /x\n' })]);
      assert.match(missing.stderr, /COPY failed: file not found in build context or excluded by \.dockerignore: stat nothere: file does not exist/);
    } finally {
      server.close();
    }
  });

  test('ADD and import from a URL on a port the Fetch standard blocks (10080, 666x), as dockerd fetches them', async (t) => {
    const www = await context({ 'f.txt': 'from a blocked port\n' });
    let server: { port: number; close: () => void } | undefined;
    for (const port of [10080, 6665, 6666, 6667, 6668, 6669]) {
      server = await serveDirectory(www, port).catch(() => undefined);
      if (server) break;
    }
    if (!server) return t.skip('every blocked port tried is in use on this host');
    try {
      const dir = await context({ Dockerfile: `FROM busybox\nADD http://127.0.0.1:${server.port}/f.txt /f.txt\n` });
      ok(build(['-t', 'badport', dir]));
      assert.equal(docker('run', '--rm', 'badport', 'cat', '/f.txt').stdout, 'from a blocked port\n');
      ok(run('tar', ['-cf', join(www, 'rootfs.tar'), '-C', www, 'f.txt']));
      ok(docker('import', `http://127.0.0.1:${server.port}/rootfs.tar`, 'badport:imported'));
      assert.equal(docker('image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'badport:imported').stdout, '1\n');
      docker('rmi', 'badport', 'badport:imported');
    } finally {
      server.close();
    }
  });

  test('multi-stage: COPY --from a stage and an image, --target, unused stages skipped', async () => {
    const dir = await context({
      Dockerfile: [
        'FROM busybox AS builder',
        'RUN echo built > /artifact',
        'FROM busybox AS broken',
        'RUN exit 1',
        'FROM busybox AS final',
        'COPY --from=builder /artifact /artifact',
        'COPY --from=busybox /bin/busybox /bb-copy',
        'COPY --from=0 /artifact /artifact0',
        'CMD ["cat", "/artifact", "/artifact0"]',
      ].join('\n'),
    });
    const r = ok(build(['-t', 'multi', dir]));
    assert.doesNotMatch(r.stdout, /RUN exit 1/, 'the unused broken stage is skipped');
    assert.match(r.stdout, /Step 1\/7 : FROM busybox AS builder/);
    assert.equal(docker('run', '--rm', 'multi').stdout, 'built\nbuilt\n');
    ok(build(['-t', 'multi-builder', '--target', 'builder', dir]));
    assert.equal(docker('run', '--rm', 'multi-builder', 'cat', '/artifact').stdout, 'built\n');
    const missing = build(['--target', 'nosuch', dir]);
    assert.match(missing.stderr, /failed to reach build target nosuch in Dockerfile/);
  });

  test('FROM scratch with ADD of a rootfs tar, and ONBUILD triggers fire in a child build', async () => {
    const dir = await context({ Dockerfile: 'FROM scratch\nADD rootfs.tar /\nONBUILD RUN echo fired > /onbuild\nCMD ["sh"]\n' });
    await writeFile(join(dir, 'rootfs.tar'), await readFile(await busyboxRootfs()));
    ok(build(['-t', 'from-scratch', dir]));
    assert.equal(docker('run', '--rm', 'from-scratch', 'echo', 'scratch ok').stdout, 'scratch ok\n');
    const child = ok(build(['-t', 'onbuild-child', await context({ Dockerfile: 'FROM from-scratch\nRUN cat /onbuild\n' })]));
    assert.match(child.stdout, /# Executing 1 build trigger\n/);
    assert.match(child.stdout, /\nfired\n/);
    assert.equal(inspect('onbuild-child', '{{json .Config.OnBuild}}'), 'null', 'triggers are not inherited further');
  });

  test('a failing step: Docker message and exit code, nothing tagged, its container kept unless --force-rm', async () => {
    const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo partial\nRUN exit 3\n' });
    const r = build(['-t', 'never', dir]);
    assert.equal(r.code, 3, 'the docker CLI exits with the failed command\'s code');
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.notEqual(docker('image', 'inspect', 'never').code, 0, 'nothing is tagged');
    assert.equal(docker('ps', '-a', '-q', '--filter', 'status=exited').stdout.trim().split('\n').length, 1, 'the failed step\'s container stays, as dockerd leaves it');
    ok(docker('container', 'prune', '-f'));
    assert.notEqual(build(['--force-rm', dir]).code, 0);
    assert.equal(docker('ps', '-a', '-q').stdout.trim(), '', '--force-rm leaves no container');
    const parse = build([await context({ Dockerfile: 'FROM busybox\n\nRUNN echo\n' })]);
    assert.equal(parse.code, 1);
    assert.match(parse.stderr, /dockerfile parse error line 3: unknown instruction: RUNN/);
    const blank = await context({ Dockerfile: '\n# only a comment\n' });
    for (const r of [build([blank]), daemon.berth(['build', blank])]) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Error response from daemon: failed to parse Dockerfile: file with no instructions\n/);
    }
  });

  test('options: -q, --iidfile, --label, --network none, --add-host, -m, --ulimit, -f, -f -', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nRUN cat /etc/hosts > /hosts; ip -o link | grep -c -v " lo:" > /links || true; ulimit -n > /nofile; cat /sys/fs/cgroup/memory/memory.limit_in_bytes > /mem 2>/dev/null || cat /sys/fs/cgroup/memory.max > /mem\n',
      'other/Custom.dockerfile': 'FROM busybox\nLABEL from=custom\n',
    });
    const iid = join(scratch, 'iid');
    const q = ok(build(['-q', '--iidfile', iid, '--label', 'team=core', '--network', 'none', '--add-host', 'db.local:10.1.2.3', '-m', '64m', '--ulimit', 'nofile=1024:2048', '-t', 'opts', dir]));
    const id = (await readFile(iid, 'utf8')).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(q.stdout.trim(), id, '-q prints only the ID');
    assert.equal(inspect('opts', '{{index .Config.Labels "team"}}'), 'core');
    const out = docker('run', '--rm', 'opts', 'sh', '-c', 'grep db.local /hosts; cat /links /nofile /mem').stdout;
    assert.equal(out, '10.1.2.3\tdb.local\n0\n1024\n67108864\n');
    ok(build(['-f', join(dir, 'other', 'Custom.dockerfile'), '-t', 'custom-file', dir]));
    assert.equal(inspect('custom-file', '{{index .Config.Labels "from"}}'), 'custom');
    ok(build(['-f', '-', '-t', 'stdin-file', dir], 'FROM busybox\nLABEL from=stdin\n'));
    assert.equal(inspect('stdin-file', '{{index .Config.Labels "from"}}'), 'stdin');
    const tarred = spawnSync('tar', ['-cz', '-C', await context({ Dockerfile: 'FROM busybox\nCOPY x /x\n', x: 'from a stdin tar\n' }), '.']).stdout;
    ok(build(['-t', 'stdin-tar', '-'], tarred));
    assert.equal(docker('run', '--rm', 'stdin-tar', 'cat', '/x').stdout, 'from a stdin tar\n', 'a gzipped tar on stdin is the context');
    ok(build(['-t', 'stdin-only', '-'], 'FROM busybox\nLABEL from=only-stdin\n'));
    assert.equal(inspect('stdin-only', '{{index .Config.Labels "from"}}'), 'only-stdin');
    const squash = build(['--squash', dir]);
    assert.notEqual(squash.code, 0);
    assert.match(squash.stderr, /squash/);
  });

  test('.dockerignore: excluded files are not sent, exceptions are, the Dockerfile always is', async () => {
    const dir = await context({
      Dockerfile: 'FROM busybox\nCOPY . /ctx\nRUN find /ctx -type f | sort > /list\n',
      '.dockerignore': '# comment\n*.log\nsecret/\n**/tmp\n!keep.log\nDockerfile\n',
      'a.log': '', 'keep.log': '', 'main.c': '', 'secret/key': '', 'src/tmp/x': '', 'src/ok.c': '',
    });
    for (const [cli, tag] of [['docker', 'ign-docker'], ['berth', 'ign-berth']] as const) {
      const r = cli === 'docker' ? build(['-t', tag, dir]) : daemon.berth(['build', '-t', tag, dir]);
      ok(r);
      assert.equal(docker('run', '--rm', tag, 'cat', '/list').stdout, '/ctx/.dockerignore\n/ctx/keep.log\n/ctx/main.c\n/ctx/src/ok.c\n', `${cli}: the Dockerfile listed in .dockerignore is dropped after reading`);
    }
  });

  test('the berth CLI builds with the same output', async () => {
    const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo from-berth\n' });
    const r = ok(daemon.berth(['build', '-t', 'berth-built', dir]));
    assert.match(r.stdout, /Sending build context to Docker daemon/);
    assert.match(r.stdout, /Step 2\/2 : RUN echo from-berth\n ---> Running in [0-9a-f]{12}\nfrom-berth\n/);
    assert.match(r.stdout, /Successfully tagged berth-built:latest\n/);
    const failed = daemon.berth(['build', await context({ Dockerfile: 'FROM busybox\nRUN exit 2\n' })]);
    assert.equal(failed.code, 2, 'the failed command\'s code, as docker');
    assert.match(failed.stderr, /returned a non-zero code: 2/);
    ok(docker('container', 'prune', '-f')); // the failed step's container
  });

  test('--cache-from: images without parent links (saved and loaded) serve as the cache', async () => {
    const dir = await context({ Dockerfile: 'FROM busybox\nRUN echo cache-from one > /one\nENV STEP=two\nRUN echo cache-from two > /two\n' });
    ok(build(['-t', 'cf:1', dir]));
    const id = inspect('cf:1', '{{.Id}}');
    const archive = join(scratch, 'cf.tar');
    ok(docker('save', '-o', archive, 'cf:1'));
    ok(docker('rmi', 'cf:1'));
    ok(docker('load', '-i', archive));
    assert.doesNotMatch(ok(build(['-t', 'cf:plain', dir])).stdout, /Using cache/, 'a loaded image has no parent links: no local cache');
    ok(docker('rmi', 'cf:plain'));
    const r = ok(build(['--cache-from', 'cf:1', '-t', 'cf:2', dir]));
    assert.equal(r.stdout.match(/Using cache/g)?.length, 3, r.stdout);
    assert.equal(inspect('cf:2', '{{.Id}}'), id, 'the last step is the --cache-from image itself');
  });

  test('contexts from a URL (downloaded by the CLI, or by the daemon with remote=), proxy args, HEALTHCHECK NONE', async () => {
    const www = await context({});
    const ctx = await context({ Dockerfile: 'FROM busybox\nHEALTHCHECK NONE\nRUN echo "proxy=$HTTP_PROXY" > /proxy\nCOPY hello.txt /\n', 'hello.txt': 'from a tarball\n' });
    ok(run('tar', ['-czf', join(www, 'ctx.tar.gz'), '-C', ctx, '.']));
    await writeFile(join(www, 'Dockerfile.remote'), 'FROM busybox\nLABEL remote=dockerfile\n');
    const server = await serveDirectory(www);
    try {
      ok(build(['-t', 'url-ctx', '--build-arg', 'HTTP_PROXY=http://proxy.invalid:3128', `http://127.0.0.1:${server.port}/ctx.tar.gz`]));
      assert.equal(docker('run', '--rm', 'url-ctx', 'cat', '/hello.txt', '/proxy').stdout, 'from a tarball\nproxy=http://proxy.invalid:3128\n');
      assert.doesNotMatch(docker('history', '--no-trunc', 'url-ctx').stdout, /proxy\.invalid/, 'undeclared proxy args stay out of the history');
      assert.deepEqual(JSON.parse(inspect('url-ctx', '{{json .Config.Healthcheck}}')), { Test: ['NONE'] });
      const urlTar = ok(build(['-t', 'url-tar', await context({ Dockerfile: `FROM busybox\nADD http://127.0.0.1:${server.port}/ctx.tar.gz /fetched/\n` })]));
      assert.match(urlTar.stdout, /Successfully built/);
      assert.equal(docker('run', '--rm', 'url-tar', 'ls', '/fetched').stdout, 'ctx.tar.gz\n', 'a tarball fetched by URL is not unpacked');
      const remote = await daemon.apiRaw('POST', `/build?t=remote-df&remote=${encodeURIComponent(`http://127.0.0.1:${server.port}/Dockerfile.remote`)}`, Buffer.alloc(0), 'application/x-tar');
      assert.match(remote.body, /Successfully tagged remote-df:latest/, remote.body);
      assert.equal(inspect('remote-df', '{{index .Config.Labels "remote"}}'), 'dockerfile');
    } finally {
      server.close();
    }
  });

  test('FROM by ID, --platform, --rm=false keeps the step containers', async () => {
    const busyboxId = inspect('busybox', '{{.Id}}');
    ok(build(['-t', 'by-id', await context({ Dockerfile: `FROM ${busyboxId}\nLABEL by=id\n` })]));
    ok(build(['--platform', 'linux/amd64', '-t', 'by-short-id', await context({ Dockerfile: `FROM --platform=linux/amd64 ${busyboxId.slice(7, 19)}\nLABEL by=short-id\n` })]));
    const arm = build(['--platform', 'linux/arm64', await context({ Dockerfile: 'FROM busybox\n' })]);
    assert.notEqual(arm.code, 0);
    assert.match(arm.stderr, /linux\/arm64 is not supported/);
    const kept = ok(build(['--rm=false', await context({ Dockerfile: 'FROM busybox\nRUN echo kept-container\n' })]));
    assert.doesNotMatch(kept.stdout, /Removing intermediate container/);
    assert.equal(docker('ps', '-a', '-q').stdout.trim().split('\n').length, 1, 'the RUN step\'s container is kept');
    ok(docker('container', 'prune', '-f'));
  });

  test('hostile contexts cannot read outside the context or write outside the image', async () => {
    const outside = await context({ 'secret.txt': 'host secret\n' });
    const dir = await context({
      Dockerfile: [
        'FROM busybox',
        'COPY link-out /from-link',
      ].join('\n'),
      'link-out': { symlink: join(outside, 'secret.txt') },
      'f.txt': 'inside\n',
    });
    const r = build(['-t', 'hostile-link', dir]);
    assert.equal(r.code, 1, 'a symlink out of the context resolves inside it, where nothing is');
    assert.match(r.stderr, /COPY failed: file not found in build context/);
    const parent = await context({
      Dockerfile: 'FROM busybox\nRUN ln -s /etc /linked-etc && ln -s / /up\nCOPY f.txt /linked-etc/written-through-link\nCOPY f.txt /up/tmp/escaped\n',
      'f.txt': 'inside\n',
    });
    ok(build(['-t', 'hostile-dest', parent]));
    assert.equal(docker('run', '--rm', 'hostile-dest', 'cat', '/etc/written-through-link', '/tmp/escaped').stdout, 'inside\ninside\n', 'writes land inside the image');
    assert.equal(run('ls', ['/etc/written-through-link', '/tmp/escaped']).code, 2, 'nothing on the host');
    const upward = build([await context({ Dockerfile: 'FROM busybox\nCOPY ../secret.txt /x\n' })]);
    assert.equal(upward.code, 1);
    assert.match(upward.stderr, /forbidden path outside the build context|not found/);
    const ignoreLink = await context({ Dockerfile: 'FROM busybox\nCOPY . /ctx\n', '.dockerignore': { symlink: join(outside, 'secret.txt') } });
    const viaApi = await buildRawTar(daemon, ignoreLink);
    assert.equal(viaApi.status, 200);
    assert.match(viaApi.body, /Successfully built/, 'a .dockerignore symlinked out of the context is read inside it (where it is missing)');
    const evilTar = await tarWithEntry('../../escape.txt');
    const evil = await daemon.apiRaw('POST', '/build', evilTar, 'application/x-tar');
    assert.match(evil.body, /invalid tar entry|escapes/);
  });
});

async function buildRawTar(daemon: TestDaemon, dir: string): Promise<{ status: number; body: string }> {
  const tar = spawnSync('tar', ['-C', dir, '-cf', '-', '.']);
  return daemon.apiRaw('POST', '/build', tar.stdout, 'application/x-tar');
}

async function tarWithEntry(name: string): Promise<Buffer> {
  const { makeTar } = await import('../../src/lib/tar/testing.js');
  return makeTar([{ name: 'Dockerfile', content: 'FROM busybox\n' }, { name, content: 'x' }]);
}
