/**
 * Attached `berth compose up` (no -d), against a private berthd and a private
 * dockerd 20.10: "Attaching to …", each line behind its `service-n  | `
 * prefix (no colour when stdout is not a terminal), "exited with code N"
 * and exit 0 once all containers stopped; --abort-on-container-exit with
 * --exit-code-from returns that service's code and stops the others; and
 * Ctrl-C (SIGINT to the CLI run as a child) stops the project and exits 130.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, lines, LOOP, type Target } from './compose-helpers.js';
import { ROOT } from './harness.js';

const PROJECT = 'caproj';

/** Prints `ready`, then runs until stopped (exit 0 on SIGTERM). */
const READY_LOOP = ['sh', '-c', "trap 'exit 0' TERM; echo ready; while true; do sleep 1; done"];

async function writeProject(t: Target, services: Record<string, unknown>): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), JSON.stringify({ name: PROJECT, services }));
}

/** The CLI as a child whose output is watched, to be interrupted. */
function startUp(t: Target, args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', t.host, 'compose', '-f', join(t.dir, 'compose.yaml'), 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), waiters.splice(0).forEach((w) => w())));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (predicate: (out: string) => boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!predicate(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  };
  return { child, exited, until, out: () => ({ stdout, stderr }) };
}

async function scenario(t: Target): Promise<void> {
  // Both run to completion: their output, their exits, and exit 0 although b failed.
  await writeProject(t, {
    a: { image: 'busybox:latest', command: ['sh', '-c', 'echo hello from a; echo second line'] },
    bb: { image: 'busybox:latest', command: ['sh', '-c', 'echo bb says hi >&2; exit 3'] },
  });
  const plain = t.composeRaw(['up']);
  assert.equal(plain.code, 0, plain.stderr);
  const out = lines(plain.stdout);
  assert.equal(out[0], 'Attaching to a-1, bb-1');
  for (const line of ['a-1   | hello from a', 'a-1   | second line', 'bb-1  | bb says hi', 'a-1 exited with code 0', 'bb-1 exited with code 3']) {
    assert.ok(plain.stdout.split('\n').includes(line), `missing "${line}" in:\n${plain.stdout}`);
  }
  assert.ok(!plain.stdout.includes('\x1b['), 'no colour when stdout is not a terminal');
  assert.ok(lines(plain.stderr).includes(`Container ${PROJECT}-a-1 Started`), plain.stderr);

  const bare = t.composeRaw(['up', '--no-log-prefix', '--attach', 'a']);
  assert.equal(bare.code, 0, bare.stderr);
  assert.deepEqual(lines(bare.stdout).filter((l) => !l.startsWith('Attaching') && !l.includes('exited')), ['hello from a', 'second line']);

  // The first exit stops the others; the exit code is bb's.
  await writeProject(t, {
    a: { image: 'busybox:latest', command: LOOP },
    bb: { image: 'busybox:latest', command: ['sh', '-c', 'sleep 1; exit 3'], depends_on: ['a'] },
  });
  const aborted = t.composeRaw(['up', '--exit-code-from', 'bb', '-t', '5']);
  assert.equal(aborted.code, 3, aborted.stdout + aborted.stderr);
  assert.ok(aborted.stdout.includes('Aborting on container exit...'), aborted.stdout);
  assert.ok(lines(aborted.stderr).includes(`Container ${PROJECT}-a-1 Stopped`), aborted.stderr);
  assert.equal(t.inspect(`${PROJECT}-a-1`, '{{.State.Running}}'), 'false');

  // Ctrl-C: a graceful stop of everything, exit 130.
  await writeProject(t, { a: { image: 'busybox:latest', command: READY_LOOP }, bb: { image: 'busybox:latest', command: READY_LOOP } });
  const run = startUp(t, ['-t', '5']);
  await run.until((s) => s.includes('a-1   | ready') && s.includes('bb-1  | ready'), 'both containers to print ready');
  run.child.kill('SIGINT');
  const code = await run.exited;
  const { stdout, stderr } = run.out();
  assert.equal(code, 130, stdout + stderr);
  assert.ok(stdout.includes('Gracefully stopping... (press Ctrl+C again to force)'), stdout);
  for (const name of ['a-1', 'bb-1']) {
    assert.ok(lines(stderr).includes(`Container ${PROJECT}-${name} Stopped`), stderr);
    assert.equal(t.inspect(`${PROJECT}-${name}`, '{{.State.Running}}'), 'false');
  }
}

composeSuite('berth compose up, attached', scenario);
