/**
 * POST /build as clients see it, on berthd and, when it can run here, on a
 * private dockerd 20.10 given the same requests (so the expectations are
 * dockerd's, checked): errors before the stream are HTTP errors, a failed
 * step's container stays unless forcerm, stderr comes in red, one aux ID per
 * stage, --cache-from is the only cache when given. And a context with a
 * huge sparse file builds without writing its zeros.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTar } from '../../src/lib/tar/testing.js';
import { busyboxRootfs, DOCKER_CLI, dockerdSkipReason, ReferenceDockerd, run, TestDaemon, type RunResult, onEachTarget } from './harness.js';

interface Target {
  name: string;
  socket: string;
  docker(args: string[]): RunResult;
}

interface Message {
  stream?: string;
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

function post(socket: string, path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(socket: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request({ socketPath: socket, method: 'GET', path }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    })
      .on('error', reject)
      .end();
  });
}

const messagesOf = (body: string): Message[] => body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Message);
const text = (messages: Message[]) => messages.map((m) => m.stream ?? '').join('');

/** A build of a context holding `files`, with the query `query`. */
async function build(target: Target, files: Record<string, string>, query = ''): Promise<{ status: number; body: string; messages: Message[] }> {
  const tar = await makeTar(Object.entries(files).map(([name, content]) => ({ name, content })));
  const res = await post(target.socket, `/v1.41/build?${query}`, tar);
  return { ...res, messages: res.status === 200 ? messagesOf(res.body) : [] };
}

async function containerIds(target: Target): Promise<string[]> {
  return ((await get(target.socket, '/v1.41/containers/json?all=1')) as { Id: string }[]).map((c) => c.Id);
}

async function removeContainers(target: Target, ids: string[]): Promise<void> {
  for (const id of ids) target.docker(['rm', '-f', id]);
}

/** The container of the last step that ran one (dockerd runs one for LABEL steps too). */
function lastRunningIn(messages: Message[]): string {
  const found = [...text(messages).matchAll(/Running in ([0-9a-f]{12})\n/g)].pop()?.[1];
  assert.ok(found, text(messages));
  return found;
}

const skipDockerd = dockerdSkipReason();

describe('POST /build (classic builder) on berthd and on dockerd 20.10', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let reference: ReferenceDockerd | undefined;
  const targets: Target[] = [];

  before(async () => {
    daemon = await TestDaemon.start();
    const rootfs = await busyboxRootfs();
    targets.push({ name: 'berthd', socket: daemon.socket, docker: (args) => daemon.docker(args) });
    if (!skipDockerd) {
      reference = await ReferenceDockerd.start();
      targets.push({ name: 'dockerd', socket: join(reference.dir, 'docker.sock'), docker: (args) => reference!.docker(args) });
    }
    for (const target of targets) assert.equal(target.docker(['import', rootfs, 'busybox:latest']).code, 0, target.name);
  });
  after(async () => {
    await reference?.stop();
    await daemon?.stop();
  });

  const onEach = (check: (target: Target) => Promise<void>) => onEachTarget(targets, check);


  test('an empty, blank or comment-only Dockerfile is an HTTP 400 before anything streams', async () => {
    await onEach(async (target) => {
      const cases: [Record<string, string>, string, string][] = [
        [{ Dockerfile: '' }, '', 'the Dockerfile (Dockerfile) cannot be empty'],
        [{ 'Other.df': '' }, 'dockerfile=Other.df', 'the Dockerfile (Other.df) cannot be empty'],
        [{ Dockerfile: '\n   \n\n' }, '', 'failed to parse Dockerfile: file with no instructions'],
        [{ Dockerfile: '# only a comment\n\n# and another\n' }, '', 'failed to parse Dockerfile: file with no instructions'],
      ];
      for (const [files, query, message] of cases) {
        const r = await build(target, files, query);
        assert.equal(r.status, 400, r.body);
        assert.deepEqual(JSON.parse(r.body), { message });
      }
      const unknown = await build(target, { Dockerfile: 'FROM busybox\nFOO bar\n' });
      assert.equal(unknown.status, 400, 'a parse error is found before the first step too');
    });
  });

  test('Dockerfile parse errors in dockerd 20.10\'s words: the first pass names the file, the second the line', async () => {
    const cases: [string, string][] = [
      ['FROM busybox\nFOO bar\n', 'dockerfile parse error line 2: unknown instruction: FOO'],
      ['FROM busybox\nRUNN x\nENV A\n', 'failed to parse Dockerfile: ENV must have two arguments'],
      ['FROM busybox\nLABEL a=1 b\n', 'failed to parse Dockerfile: Syntax error - can\'t find = in "b". Must be of the form: name=value'],
      ['# escape=x\nFROM busybox\n', "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\"],
      ['ARG A\nRUN x\nFROM busybox\n', 'no build stage in current context'],
      ['FROM busybox AS\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
      ['FROM busybox\nADD --from=x a b\n', 'dockerfile parse error line 2: Unknown flag: from'],
      ['FROM busybox\nCOPY --chown a b\n', 'dockerfile parse error line 2: Missing a value on flag: chown'],
      ['FROM busybox\nCOPY --chown=a --chown=b a b\n', 'dockerfile parse error line 2: Duplicate flag specified: chown'],
      ['FROM busybox\nHEALTHCHECK --retries=0 CMD true\n', 'dockerfile parse error line 2: --retries must be at least 1 (not 0)'],
      ['FROM busybox\nHEALTHCHECK --interval=0s CMD true\n', 'dockerfile parse error line 2: Interval "interval" cannot be less than 1ms'],
    ];
    await onEach(async (target) => {
      for (const [dockerfile, message] of cases) {
        const r = await build(target, { Dockerfile: dockerfile });
        assert.deepEqual([r.status >= 400, JSON.parse(r.body)], [true, { message }], `${target.name}: ${JSON.stringify(dockerfile)}`);
      }
    });
  });

  test('bad query values: dockerd\'s context and Go\'s JSON words (dockerd says 500 where it adds no context, berthd 400)', async () => {
    const q = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));
    const cases: [string, number, string][] = [
      [`buildargs=${q('{bad')}`, 400, 'error reading build args: invalid character \'b\' looking for beginning of object key string'],
      [`buildargs=${q({ A: 1 })}`, 400, 'error reading build args: json: cannot unmarshal number into Go value of type string'],
      [`labels=${q([1])}`, 400, 'error reading labels: json: cannot unmarshal array into Go value of type map[string]string'],
      [`ulimits=${q([{ Name: 1 }])}`, 400, 'error reading ulimit settings: json: cannot unmarshal number into Go struct field Ulimit.Name of type string'],
      [`cachefrom=${q('[bad')}`, 500, 'invalid character \'b\' looking for beginning of value'],
      ['isolation=hyperv', 400, 'Unsupported isolation: "hyperv"'],
      [`dockerfile=${q('../../etc/passwd')}`, 500, 'forbidden path outside the build context: ../../etc/passwd ()'],
    ];
    await onEach(async (target) => {
      for (const [query, dockerdStatus, message] of cases) {
        const r = await build(target, { Dockerfile: 'FROM busybox\n' }, query);
        const status = target.name === 'dockerd' || dockerdStatus !== 500 || query.startsWith('dockerfile') ? dockerdStatus : 400;
        assert.deepEqual([r.status, JSON.parse(r.body)], [status, { message }], `${target.name}: ${query}`);
      }
    });
  });

  test('errors of a stage\'s platform and of COPY --from come in the stream, with dockerd\'s context before the cause', async () => {
    const cases: [string, RegExp][] = [
      ['FROM --platform=x busybox\n', /^failed to parse platform x: "x": unknown operating system or architecture: invalid argument$/],
      ['FROM busybox\nCOPY --from=a:b:c f /f\n', /^invalid from flag value a:b:c: invalid reference format$/],
    ];
    await onEach(async (target) => {
      for (const [dockerfile, message] of cases) {
        const r = await build(target, { Dockerfile: dockerfile, f: 'x' });
        assert.equal(r.status, 200, `${target.name}: ${JSON.stringify(dockerfile)}`);
        assert.match(r.messages[r.messages.length - 1]?.error ?? '', message, `${target.name}: ${r.body}`);
      }
    });
  });

  test('a failed RUN keeps its container (with the image\'s labels) unless forcerm; its stderr is red', async () => {
    const files = { Dockerfile: 'FROM busybox\nLABEL step=label\nRUN echo out; echo err >&2; exit 3\n' };
    await onEach(async (target) => {
      const before = await containerIds(target);
      const failed = await build(target, files, `labels=${encodeURIComponent('{"build":"x"}')}`);
      assert.equal(failed.status, 200);
      const last = failed.messages[failed.messages.length - 1]!;
      assert.equal(last.errorDetail?.code, 3);
      assert.equal(last.error, "The command '/bin/sh -c echo out; echo err >&2; exit 3' returned a non-zero code: 3");
      assert.ok(failed.messages.some((m) => m.stream === 'out\n'), failed.body);
      assert.ok(failed.messages.some((m) => m.stream === '\x1b[91merr\n\x1b[0m'), `stderr wrapped in red: ${failed.body}`);
      const runContainer = lastRunningIn(failed.messages);
      assert.doesNotMatch(text(failed.messages), new RegExp(`Removing intermediate container ${runContainer}`));
      const kept = (await containerIds(target)).filter((id) => !before.includes(id));
      assert.equal(kept.length, 1, 'the failed step\'s container stays');
      const inspect = (await get(target.socket, `/v1.41/containers/${kept[0]}/json`)) as { State: { Status: string; ExitCode: number }; Config: { Labels: Record<string, string> } };
      assert.equal(inspect.State.Status, 'exited');
      assert.equal(inspect.State.ExitCode, 3);
      assert.deepEqual(inspect.Config.Labels, { step: 'label' });
      await removeContainers(target, kept);

      const forced = await build(target, files, 'forcerm=1');
      const running = lastRunningIn(forced.messages);
      assert.match(text(forced.messages), new RegExp(`Removing intermediate container ${running}\\n$`));
      assert.equal(forced.messages[forced.messages.length - 1]!.errorDetail?.code, 3);
      assert.deepEqual((await containerIds(target)).filter((id) => !before.includes(id)), [], 'forcerm leaves nothing');
    });
  });

  test('--rm (the default) removes a RUN step\'s container after success; rm=0 keeps it', async () => {
    await onEach(async (target) => {
      const before = await containerIds(target);
      const ok = await build(target, { Dockerfile: `FROM busybox\nRUN echo rm-${target.name}\n` }, 'nocache=1');
      assert.match(text(ok.messages), /Removing intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
      assert.deepEqual((await containerIds(target)).filter((id) => !before.includes(id)), []);
      const kept = await build(target, { Dockerfile: `FROM busybox\nRUN echo keep-${target.name}\n` }, 'nocache=1&rm=0');
      assert.doesNotMatch(text(kept.messages), /Removing intermediate container/);
      const left = (await containerIds(target)).filter((id) => !before.includes(id));
      assert.equal(left.length, 1);
      await removeContainers(target, left);
    });
  });

  test('HEALTHCHECK merges over the one before it (even NONE keeps the timings); history shows it as dockerd\'s %q does', async () => {
    const files = { Dockerfile: 'FROM busybox\nHEALTHCHECK --interval=1m30s --timeout=500ms --retries=4 CMD ["a", "b c"]\nHEALTHCHECK NONE\n' };
    const seen = [];
    for (const target of targets) {
      const r = await build(target, files);
      const id = r.messages.flatMap((m) => (m.aux?.ID ? [m.aux.ID] : [])).pop();
      assert.ok(id, `${target.name}: ${r.body}`);
      const image = (await get(target.socket, `/v1.41/images/${id}/json`)) as { Config: { Healthcheck: unknown } };
      const history = (await get(target.socket, `/v1.41/images/${id}/history`)) as { CreatedBy: string }[];
      seen.push({ health: image.Config.Healthcheck, history: history.slice(0, 2).map((h) => h.CreatedBy) });
    }
    assert.deepEqual(seen[0], {
      health: { Test: ['NONE'], Interval: 90e9, Timeout: 500e6, Retries: 4 },
      history: [
        '/bin/sh -c #(nop)  HEALTHCHECK &{["NONE"] "0s" "0s" "0s" \'\\x00\'}',
        '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD" "a" "b c"] "1m30s" "500ms" "0s" \'\\x04\'}',
      ],
    });
    if (seen.length > 1) assert.deepEqual(seen[1], seen[0]);
  });

  test('one aux ID per stage, the last one the result, all before "Successfully built"; q=1 sends only the ID', async () => {
    const files = { Dockerfile: 'FROM busybox AS first\nRUN echo a > /a\nFROM busybox\nCOPY --from=first /a /a\n' };
    await onEach(async (target) => {
      const r = await build(target, files);
      const auxes = r.messages.flatMap((m, index) => (m.aux?.ID ? [{ id: m.aux.ID, index }] : []));
      assert.equal(auxes.length, 2, r.body);
      const built = r.messages.findIndex((m) => m.stream?.startsWith('Successfully built '));
      assert.equal(r.messages[built]!.stream, `Successfully built ${auxes[1]!.id.slice(7, 19)}\n`);
      assert.equal(auxes[1]!.index, built - 1);
      assert.match(r.messages[auxes[0]!.index + 1]!.stream ?? '', /^Step 3\/4 : FROM busybox/);
      assert.deepEqual(r.messages.filter((m) => m.stream?.startsWith('Step ')).map((m) => m.stream), ['Step 1/4 : FROM busybox AS first', 'Step 2/4 : RUN echo a > /a', 'Step 3/4 : FROM busybox', 'Step 4/4 : COPY --from=first /a /a']);
      const quiet = await build(target, files, 'q=1');
      assert.deepEqual(quiet.messages, [{ stream: `${auxes[1]!.id}\n` }]);
    });
  });

  test('cachefrom: only the images named are cache sources', async () => {
    await onEach(async (target) => {
      const files = { Dockerfile: `FROM busybox\nRUN echo cache-from-${target.name} > /f\n` };
      const first = await build(target, files, 't=cf-base');
      const id = first.messages.flatMap((m) => (m.aux?.ID ? [m.aux.ID] : [])).pop();
      assert.ok(id, first.body);
      assert.match(text((await build(target, files)).messages), /Using cache/, 'the local cache without cachefrom');
      for (const sources of [['busybox'], ['not-here:1']]) {
        const r = await build(target, files, `cachefrom=${encodeURIComponent(JSON.stringify(sources))}`);
        assert.doesNotMatch(text(r.messages), /Using cache/, `cachefrom=${JSON.stringify(sources)}: ${r.body}`);
      }
      const hit = await build(target, files, `cachefrom=${encodeURIComponent('["cf-base"]')}`);
      assert.match(text(hit.messages), /Using cache/);
      assert.equal(hit.messages.flatMap((m) => (m.aux?.ID ? [m.aux.ID] : [])).pop(), id);
    });
  });
});

describe('a huge sparse file in the build context', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  const GiB = 1024 ** 3;
  let daemon: TestDaemon;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-sparse-build-'));
    assert.equal(daemon.docker(['import', await busyboxRootfs(), 'busybox:latest']).code, 0);
  });
  after(async () => {
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  /** Kilobytes used under the daemon's data root. */
  const used = () => Number(run('du', ['-sk', daemon.dataRoot]).stdout.split('\t')[0]);

  async function sparseContext(name: string): Promise<string> {
    const dir = join(scratch, name);
    await mkdir(dir);
    const file = await open(join(dir, 'disk.img'), 'w');
    await file.truncate(GiB);
    await file.write(Buffer.from('head'), 0, 4, 0);
    await file.write(Buffer.from(name), 0, name.length, GiB / 2); // not the other test's content: no cache hit
    await file.write(Buffer.from('tail'), 0, 4, GiB - 4);
    await file.close();
    const middle = `test "$(dd if=/disk.img bs=512 skip=${GiB / 2 / 512} count=1 2>/dev/null | head -c ${name.length})" = ${name}`;
    // Zeros around the data stay zeros: no byte of the first and last MiB but the marks is set.
    const zeros = 'test "$(head -c 1048576 /disk.img | tr -d \'\\000\')" = head && test "$(tail -c 1048576 /disk.img | tr -d \'\\000\')" = tail';
    const check = `test "$(stat -c %s /disk.img)" = 1073741824 && test "$(head -c 4 /disk.img)" = head && test "$(tail -c 4 /disk.img)" = tail && ${middle} && ${zeros}`;
    await writeFile(join(dir, 'Dockerfile'), `FROM busybox\nCOPY disk.img /\nRUN ${check}\n`);
    return dir;
  }

  /** Files named `name` under the data root (context copies, layer dirs), with their size and the disk they take. */
  function filesNamed(name: string): { path: string; size: number; kib: number }[] {
    const found = run('find', [daemon.dataRoot, '-name', name, '-type', 'f', '-printf', '%s %k %p\\n']).stdout.trim().split('\n').filter(Boolean);
    return found.map((line) => {
      const [size, kib, ...path] = line.split(' ');
      return { path: path.join(' '), size: Number(size), kib: Number(kib) };
    });
  }

  for (const cli of ['berth', 'docker'] as const) {
    test(`${cli} build: 1 GiB with two data blocks is copied in, and takes little disk`, async () => {
      const dir = await sparseContext(cli);
      const before = used();
      const r = cli === 'berth' ? daemon.berth(['build', '-t', `sparse-${cli}`, dir]) : daemon.dockerBuild(['-t', `sparse-${cli}`, dir], undefined, 300_000);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const grown = used() - before;
      assert.ok(grown < 64 * 1024, `the daemon's data grew by ${grown} KiB for a 1 GiB sparse file`);
      // The layer's copy (and any other the daemon keeps) is the whole file, with holes.
      const copies = filesNamed('disk.img');
      assert.ok(copies.length > 0, 'the layer holds disk.img');
      for (const copy of copies) {
        assert.equal(copy.size, GiB, copy.path);
        assert.ok(copy.kib < 1024, `${copy.path} takes ${copy.kib} KiB`);
      }
      const inImage = daemon.docker(['run', '--rm', `sparse-${cli}`, 'sh', '-c', 'du -k /disk.img | cut -f1']);
      assert.equal(inImage.code, 0, inImage.stderr);
      assert.ok(Number(inImage.stdout) < 1024, `the file in a container from the image takes ${inImage.stdout.trim()} KiB`);
    });
  }

  test('the layer tar carries a sparse file as a plain entry, as dockerd writes it (same diff ID)', () => {
    // The saved image holds the layer tar: a plain entry carries all of the file's bytes.
    const saved = run('sh', ['-c', `"$0" -H "$1" save sparse-berth | tar -tv`, DOCKER_CLI!, daemon.host], undefined, { DOCKER_CONFIG: join(scratch, 'docker-config') }, 300_000);
    assert.equal(saved.code, 0, saved.stderr);
    const sizes = saved.stdout.split('\n').map((line) => Number(line.split(/\s+/)[2]));
    assert.ok(sizes.some((size) => size > GiB), `no member of the saved image holds the whole file:\n${saved.stdout}`);
  });
});
