/**
 * exec and attach as clients see them (issue #13 §3): the docker CLI, raw
 * HTTP, the Python SDK and dockerode against a private berthd, and the raw
 * checks also against a private dockerd 20.10 when one can run here, so the
 * expectations stay dockerd's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { busyboxRootfs, DOCKER_CLI, dockerdSkipReason, ReferenceDockerd, TestDaemon, type RunResult, waitForValue } from './harness.js';

const SYSTEM_PYTHON = '/usr/bin/python3';

interface Target {
  name: string;
  socket: string;
  docker(args: string[], input?: string): RunResult;
}

interface Exchange {
  head: string;
  body: Buffer;
}

interface Peer {
  send(b: Buffer | string): void;
  end(): void;
  /** Everything after the response head so far. */
  received(): Buffer;
}

/** An HTTP request on a fresh connection; returns the response head and everything after it until the server closes. */
function exchange(socket: string, request: string | Buffer, onHead?: (peer: Peer) => void): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buf = Buffer.alloc(0);
    let headAt = -1;
    const peer: Peer = { send: (b) => conn.write(b), end: () => conn.end(), received: () => buf.subarray(headAt + 4) };
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (headAt < 0 && buf.includes('\r\n\r\n')) {
        headAt = buf.indexOf('\r\n\r\n');
        onHead?.(peer);
      }
    });
    conn.on('error', reject);
    conn.on('close', () => {
      const at = buf.indexOf('\r\n\r\n');
      resolve({ head: buf.subarray(0, Math.max(at, 0)).toString('latin1'), body: buf.subarray(at + 4) });
    });
    conn.write(request);
  });
}

function post(path: string, body: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `POST ${path} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

const UPGRADE = { Connection: 'Upgrade', Upgrade: 'tcp' };

async function api(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const { head, body: raw } = await exchange(socket, `${method} ${path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
  const chunked = /transfer-encoding: chunked/i.test(head);
  const payload = chunked ? dechunked(raw) : raw;
  const str = payload.toString();
  return { status, json: str ? JSON.parse(str) : null };
}

function dechunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString(), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 4 + size;
  }
}

/** Splits a multiplexed stream into its frames; throws if it is not one. */
function demux(body: Buffer): { stream: number; data: string }[] {
  const frames: { stream: number; data: string }[] = [];
  for (let at = 0; at < body.length;) {
    assert.ok(body.length >= at + 8, `a whole frame header at ${at}: ${JSON.stringify(body.toString('latin1'))}`);
    const size = body.readUInt32BE(at + 4);
    assert.ok([0, 1, 2].includes(body[at]!) && body[at + 1] === 0, `a frame header at ${at}`);
    frames.push({ stream: body[at]!, data: body.subarray(at + 8, at + 8 + size).toString() });
    at += 8 + size;
  }
  return frames;
}

async function execCreate(t: Target, container: string, config: Record<string, unknown>): Promise<string> {
  const r = await api(t.socket, 'POST', `/containers/${container}/exec`, { AttachStdout: true, AttachStderr: true, ...config });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json.Id as string;
}


const dockerdSkip = dockerdSkipReason();

describe('exec and attach semantics', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let reference: ReferenceDockerd | undefined;
  const targets: Target[] = [];

  before(async () => {
    daemon = await TestDaemon.start();
    targets.push({ name: 'berthd', socket: daemon.socket, docker: (a, i) => daemon.docker(a, i) });
    if (!dockerdSkip) {
      reference = await ReferenceDockerd.start();
      targets.push({ name: 'dockerd', socket: reference.host.slice('unix://'.length), docker: (a, i) => reference!.docker(a, i) });
    }
    const tar = await busyboxRootfs();
    for (const t of targets) {
      const imported = t.docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']);
      assert.equal(imported.code, 0, imported.stderr);
      const run = t.docker(['run', '-d', '--name', 'box', 'busybox', 'sleep', '1000']);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  after(async () => {
    for (const t of targets) t.docker(['rm', '-f', 'box', 'created', 'waiter', 'catter']);
    await daemon?.stop();
    await reference?.stop();
  });

  test('docker exec -i with stdin at EOF never loses output (30 runs)', () => {
    const expected = daemon.docker(['exec', 'box', 'ls', '/']);
    assert.equal(expected.code, 0, expected.stderr);
    assert.match(expected.stdout, /\bbin\n[^]*\bvar\n$/);
    for (let i = 0; i < 30; i++) {
      const r = daemon.docker(['exec', '-i', 'box', 'ls', '/'], '');
      assert.equal(r.stdout, expected.stdout, `run ${i}: ${r.stderr}`);
      assert.equal(r.code, 0);
    }
  });

  test('stdin a short-lived process never reads does not cost its output (30 runs)', () => {
    const expected = daemon.docker(['exec', 'box', 'ls', '/']).stdout;
    for (let i = 0; i < 30; i++) {
      const r = daemon.docker(['exec', '-i', 'box', 'ls', '/'], 'unread\n');
      assert.equal(r.stdout, expected, `run ${i}: ${r.stderr}`);
      assert.equal(r.code, 0);
    }
  });

  test('the start request body is the request, not stdin (Content-Length and chunked)', async () => {
    for (const t of targets) {
      for (const chunked of [false, true]) {
        const id = await execCreate(t, 'box', { AttachStdin: true, Cmd: ['cat'] });
        const json = '{"Detach":false,"Tty":false}';
        const request = chunked
          ? `POST /exec/${id}/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`
          : post(`/exec/${id}/start`, json, UPGRADE);
        const { head, body } = await exchange(t.socket, request, (peer) => {
          peer.send('typed\n');
          peer.end();
        });
        assert.match(head, /^HTTP\/1\.1 101/, t.name);
        assert.deepEqual(demux(body), [{ stream: 1, data: 'typed\n' }], `${t.name} chunked=${chunked}`);
      }
    }
  });

  test('framing: raw for a tty start, multiplexed otherwise', async () => {
    for (const t of targets) {
      const cmd = ['sh', '-c', 'echo out; echo err >&2'];
      const plain = await exchange(t.socket, post(`/exec/${await execCreate(t, 'box', { Cmd: cmd })}/start`, '{"Tty":false}', UPGRADE));
      const frames = demux(plain.body);
      assert.deepEqual(frames.map((f) => f.stream).sort(), [1, 2], t.name);
      assert.equal(frames.find((f) => f.stream === 1)?.data, 'out\n');
      assert.equal(frames.find((f) => f.stream === 2)?.data, 'err\n');
      const tty = await exchange(t.socket, post(`/exec/${await execCreate(t, 'box', { Cmd: cmd, Tty: true })}/start`, '{"Tty":true}', UPGRADE));
      assert.match(tty.head, /Content-Type: application\/vnd\.docker\.raw-stream/i, t.name);
      assert.equal(tty.body.toString(), 'out\r\nerr\r\n', t.name);
    }
  });

  test('the Python SDK reads tty and demuxed exec output', { skip: !existsSync(SYSTEM_PYTHON) && 'no system python3' }, () => {
    const script = [
      'import docker, sys',
      'c = docker.APIClient(base_url=sys.argv[1], version="1.41")',
      'e = c.exec_create("box", ["sh", "-c", "echo out; echo err >&2"])',
      'print(repr(c.exec_start(e["Id"], demux=True)))',
      'e = c.exec_create("box", ["sh", "-c", "echo out; echo err >&2"], tty=True)',
      'print(repr(c.exec_start(e["Id"], tty=True)))',
      'e = c.exec_create("box", ["nosuchbin"])',
      'print(repr(c.exec_start(e["Id"], demux=True)), c.exec_inspect(e["Id"])["ExitCode"])',
    ].join('\n');
    const outputs = targets.map((t) => {
      const r = spawnSync(SYSTEM_PYTHON, ['-c', script, `unix://${t.socket}`], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `${t.name}: ${r.stderr}`);
      return r.stdout;
    });
    const lines = outputs[0]!.split('\n');
    assert.equal(lines[0], "(b'out\\n', b'err\\n')");
    assert.equal(lines[1], "b'out\\r\\nerr\\r\\n'");
    assert.match(lines[2]!, /^\(b'OCI runtime exec failed: .*executable file not found in \$PATH.*\\r\\n', None\) 126$/);
  });

  test('exec of a missing binary: the error in the stream and ExitCode 126; detached, a 400', async () => {
    for (const t of targets) {
      const id = await execCreate(t, 'box', { Cmd: ['nosuchbin'] });
      const { head, body } = await exchange(t.socket, post(`/exec/${id}/start`, '{}', UPGRADE));
      assert.match(head, /^HTTP\/1\.1 101/, t.name);
      const frames = demux(body);
      assert.equal(frames.length, 1, t.name);
      assert.equal(frames[0]!.stream, 1);
      assert.match(frames[0]!.data, /^OCI runtime exec failed: .*"nosuchbin": executable file not found in \$PATH.*\r\n$/);
      const inspect = await api(t.socket, 'GET', `/exec/${id}/json`);
      assert.equal(inspect.json.ExitCode, 126, t.name);
      assert.equal(inspect.json.Running, false);

      const detached = await execCreate(t, 'box', { Cmd: ['nosuchbin'] });
      const started = await api(t.socket, 'POST', `/exec/${detached}/start`, { Detach: true });
      assert.equal(started.status, 400, t.name);
      assert.match(started.json.message, /executable file not found/);
      assert.equal((await api(t.socket, 'GET', `/exec/${detached}/json`)).json.ExitCode, 126);

      const cli = t.docker(['exec', 'box', 'nosuchbin']);
      assert.equal(cli.code, 126, `${t.name}: ${cli.stderr}`);
      assert.match(cli.stdout + cli.stderr, /executable file not found/);
    }
  });

  test('detach keys end a tty exec stream with dockerd\'s note; other stdin passes them on; bad ones are refused', async () => {
    for (const t of targets) {
      for (const [keys, sequence] of [[undefined, '\x10\x11'], ['ctrl-a,x', '\x01x']] as const) {
        const id = await execCreate(t, 'box', { AttachStdin: true, Tty: true, Cmd: ['cat'], ...(keys ? { DetachKeys: keys } : {}) });
        const { body } = await exchange(t.socket, post(`/exec/${id}/start`, '{"Tty":true}', UPGRADE), (peer) => {
          peer.send('one\n');
          // Detach once the echo is back, so the stream's content does not depend on timing.
          void waitForValue('the echo', async () => (peer.received().includes('one\r\none') ? true : undefined)).then(() => peer.send(sequence), () => peer.end());
        });
        assert.equal(body.toString(), 'one\r\none\r\nexec attach failed: error on attach stdin: read escape sequence\r\n', `${t.name} keys=${keys}`);
      }
      // Without a tty the sequence is data: cat echoes it, and the stream ends only with stdin.
      const id = await execCreate(t, 'box', { AttachStdin: true, Cmd: ['cat'] });
      const { body } = await exchange(t.socket, post(`/exec/${id}/start`, '{}', UPGRADE), (peer) => {
        peer.send('\x10\x11\n');
        void waitForValue('the echo', async () => (peer.received().length >= 11 ? true : undefined)).then(() => peer.end(), () => peer.end());
      });
      assert.deepEqual(demux(body), [{ stream: 1, data: '\x10\x11\n' }], t.name);
      const bad = await api(t.socket, 'POST', '/containers/box/exec', { Cmd: ['true'], DetachKeys: 'ctrl-abc' });
      assert.equal(bad.status, 500, t.name);
      assert.equal(bad.json.message, 'Invalid escape keys (ctrl-abc) provided');
      const cli = t.docker(['exec', '--detach-keys', 'ctrl-abc', 'box', 'true']);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /Invalid escape keys \(ctrl-abc\) provided/);
      const attach = await exchange(t.socket, post('/containers/box/attach?stream=1&stdout=1&detachKeys=ctrl-abc', '', UPGRADE));
      assert.match(attach.head, /^HTTP\/1\.1 400/, t.name);
      assert.match(attach.body.toString(), /Invalid detach keys \(ctrl-abc\) provided/);
    }
  });

  test('attach with logs=1&stream=1 to a created container streams its output once started', async () => {
    for (const t of targets) {
      assert.equal(t.docker(['create', '--name', 'created', 'busybox', 'sh', '-c', 'echo out; echo err >&2']).code, 0);
      let answered!: () => void;
      const headSeen = new Promise<void>((r) => (answered = r));
      const attached = exchange(t.socket, post('/containers/created/attach?logs=1&stream=1&stdout=1&stderr=1', '', UPGRADE), () => answered());
      await headSeen;
      assert.equal(t.docker(['start', 'created']).code, 0);
      const { head, body } = await attached;
      assert.match(head, /^HTTP\/1\.1 101/, t.name);
      const frames = demux(body);
      assert.deepEqual(frames.filter((f) => f.stream === 1).map((f) => f.data).join(''), 'out\n', t.name);
      assert.deepEqual(frames.filter((f) => f.stream === 2).map((f) => f.data).join(''), 'err\n', t.name);
      t.docker(['rm', '-f', 'created']);
    }
  });

  test('when an attachment ends, the container\'s exit is recorded (a quick process, 10 runs each)', async () => {
    // The process can print and exit before its start is recorded; a client that asks for the state
    // (or waits for not-running) on the stream's end must find the exit, as compose and docker-py do.
    for (const t of targets) {
      for (let i = 0; i < 10; i++) {
        const created = await api(t.socket, 'POST', '/containers/create?name=quick', { Image: 'busybox', Cmd: ['sh', '-c', 'echo hi; exit 3'] });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        let answered!: () => void;
        const headSeen = new Promise<void>((r) => (answered = r));
        const attached = exchange(t.socket, post('/containers/quick/attach?stream=1&stdout=1&stderr=1', '', UPGRADE), () => answered());
        await headSeen;
        assert.equal((await api(t.socket, 'POST', '/containers/quick/start')).status, 204);
        const { body } = await attached;
        const { State } = (await api(t.socket, 'GET', '/containers/quick/json')).json;
        assert.deepEqual({ output: demux(body), running: State.Running, code: State.ExitCode }, { output: [{ stream: 1, data: 'hi\n' }], running: false, code: 3 }, `${t.name}, run ${i}`);
        assert.equal((await api(t.socket, 'DELETE', '/containers/quick?force=1')).status, 204);
      }
    }
  });

  test('attach without Upgrade streams until the container ends', async () => {
    for (const t of targets) {
      assert.equal(t.docker(['run', '-d', '-i', '--name', 'waiter', 'busybox', 'sh', '-c', 'read x; echo "got $x"']).code, 0);
      let answered!: () => void;
      const headSeen = new Promise<void>((r) => (answered = r));
      const attached = exchange(t.socket, post('/containers/waiter/attach?stream=1&stdout=1&stderr=1', ''), () => answered());
      await headSeen;
      // The container prints only once a second attachment gives it a line, after the first one is answered.
      await exchange(t.socket, post('/containers/waiter/attach?stream=1&stdin=1', '', UPGRADE), (peer) => {
        peer.send('line\n');
        void waitForValue('the container to end', async () => ((await api(t.socket, 'GET', '/containers/waiter/json')).json.State.Running ? undefined : true)).then(() => peer.end(), () => peer.end());
      });
      const { head, body } = await attached;
      assert.match(head, /^HTTP\/1\.1 200/, t.name);
      assert.deepEqual(demux(body), [{ stream: 1, data: 'got line\n' }], t.name);
      t.docker(['rm', '-f', 'waiter']);
    }
  });

  test('docker run and start -a lose nothing between start and the stream being wired', () => {
    for (let i = 0; i < 15; i++) {
      const r = daemon.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo a; echo b >&2; echo c']);
      assert.equal(r.stdout, 'a\nc\n', `run ${i}: ${r.stderr}`);
      assert.equal(r.stderr, 'b\n');
    }
  });

  test('dockerode: options sent with the hijacked request never reach stdin', async () => {
    const require = createRequire(import.meta.url);
    const Docker = require('dockerode') as new (o: { socketPath: string }) => any;
    for (const t of targets) {
      const docker = new Docker({ socketPath: t.socket });
      assert.equal(t.docker(['run', '-d', '-i', '--name', 'catter', 'busybox', 'cat']).code, 0);
      const stream = await docker.getContainer('catter').attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
      let got = Buffer.alloc(0);
      stream.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
      stream.write('ping\n');
      await waitForValue('the echo', async () => (got.length >= 13 ? true : undefined));
      assert.deepEqual(demux(got), [{ stream: 1, data: 'ping\n' }], t.name);
      stream.end();

      const exec = await docker.getContainer('box').exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const execStream = await exec.start({ hijack: true, stdin: true });
      let out = Buffer.alloc(0);
      execStream.on('data', (d: Buffer) => (out = Buffer.concat([out, d])));
      const ended = new Promise((r) => execStream.once('end', r));
      execStream.end('pong\n');
      await ended;
      assert.deepEqual(demux(out), [{ stream: 1, data: 'pong\n' }], t.name);
      t.docker(['rm', '-f', 'catter']);
    }
  });
});
