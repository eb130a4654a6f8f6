/**
 * Attached `berth compose up` (no -d), against a private berthd and a private
 * dockerd 20.10: "Attaching to …", each line behind its `service-n  | `
 * prefix (no colour when stdout is not a terminal), "exited with code N"
 * and exit 0 once all containers stopped; --abort-on-container-exit with
 * --exit-code-from returns that service's code and stops the others; and
 * --attach-dependencies follows what the named services depend on too; and
 * Ctrl-C (SIGINT to the CLI run as a child) stops the project and exits 130.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, lines, LOOP, spawnCompose, type Target } from './compose-helpers.js';

const PROJECT = 'caproj';

/** Prints `ready`, then runs until stopped (exit 0 on SIGTERM). */
const READY_LOOP = ['sh', '-c', "trap 'exit 0' TERM; echo ready; while true; do sleep 1; done"];

async function writeProject(t: Target, services: Record<string, unknown>): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), JSON.stringify({ name: PROJECT, services }));
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

  // Named services only, unless --attach-dependencies adds what they depend on.
  await writeProject(t, {
    a: { image: 'busybox:latest', command: ['sh', '-c', 'echo a says hi'] },
    bb: { image: 'busybox:latest', command: ['sh', '-c', 'echo bb says hi'], depends_on: ['a'] },
  });
  const named = t.composeRaw(['up', 'bb']);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(lines(named.stdout)[0], 'Attaching to bb-1');
  assert.ok(!named.stdout.includes('a says hi') && named.stdout.includes('bb says hi'), named.stdout);
  const withDeps = t.composeRaw(['up', '--attach-dependencies', 'bb']);
  assert.equal(withDeps.code, 0, withDeps.stderr);
  assert.equal(lines(withDeps.stdout)[0], 'Attaching to a-1, bb-1');
  for (const line of ['a-1   | a says hi', 'bb-1  | bb says hi', 'a-1 exited with code 0']) assert.ok(withDeps.stdout.split('\n').includes(line), `missing "${line}" in:\n${withDeps.stdout}`);
  assert.match(t.composeRaw(['up', '--attach', 'a', '--attach-dependencies', 'bb']).stderr, /cannot combine --attach and --attach-dependencies/);
  assert.match(t.composeRaw(['up', '-d', '--attach-dependencies']).stderr, /--detach cannot be combined with .*--attach-dependencies/);
  assert.match(t.composeRaw(['up', '--no-deps', '--attach', 'a', 'bb']).stderr, /cannot attach to services not included in up: a/);

  // Ctrl-C: a graceful stop of everything, exit 130.
  await writeProject(t, { a: { image: 'busybox:latest', command: READY_LOOP }, bb: { image: 'busybox:latest', command: READY_LOOP } });
  const run = spawnCompose(t, ['up', '-t', '5']);
  await run.until((s) => s.includes('a-1   | ready') && s.includes('bb-1  | ready'), 'both containers to print ready');
  run.child.kill('SIGINT');
  const code = await run.exit('the CLI to stop the project and exit after SIGINT');
  const { stdout, stderr } = run.out();
  assert.equal(code, 130, stdout + stderr);
  assert.ok(stdout.includes('Gracefully stopping... (press Ctrl+C again to force)'), stdout);
  for (const name of ['a-1', 'bb-1']) {
    assert.ok(lines(stderr).includes(`Container ${PROJECT}-${name} Stopped`), stderr);
    assert.equal(t.inspect(`${PROJECT}-${name}`, '{{.State.Running}}'), 'false');
  }
}

composeSuite('berth compose up, attached', scenario);
