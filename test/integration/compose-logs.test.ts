/**
 * `berth compose logs -f` follows what starts after it, against a private
 * berthd and a private dockerd 20.10: a service brought up later, each run
 * of a container its restart policy brings back (every line once, none
 * lost, "exited with code 3" after each run), a replica added by
 * `up --scale`; and it ends, exit 0, once every followed container has stopped.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, spawnCompose, type Target } from './compose-helpers.js';

const PROJECT = 'clproj';

const count = (text: string, line: RegExp): number => text.split('\n').filter((l) => line.test(l)).length;

async function scenario(t: Target): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), JSON.stringify({
    name: PROJECT,
    services: {
      web: { image: 'busybox:latest', command: ['sh', '-c', "trap 'exit 0' TERM; echo web up; while true; do sleep 1; done"] },
      // Three runs in all: the first and two retries.
      flaky: { image: 'busybox:latest', command: ['sh', '-c', 'echo flaky run; sleep 1; exit 3'], restart: 'on-failure:2' },
    },
  }));
  t.compose(['up', '-d', 'web']);
  const logs = spawnCompose(t, ['logs', '-f']);
  try {
    await logs.until((s) => /^web-1 +\| web up$/m.test(s), 'web-1 to print');

    t.compose(['up', '-d', 'flaky']);
    await logs.until((s) => count(s, /^flaky-1 exited with code 3$/) === 3, 'flaky-1 to exit three times');
    assert.equal(count(logs.out().stdout, /^flaky-1 +\| flaky run$/), 3, `each run's line once:\n${logs.out().stdout}`);

    t.compose(['up', '-d', '--scale', 'web=2', 'web']);
    await logs.until((s) => /^web-2 +\| web up$/m.test(s), 'the new replica web-2 to print');

    t.compose(['stop', '-t', '5', 'web']);
    assert.equal(await logs.exit('logs -f to end once the containers stopped'), 0, logs.out().stderr);
    const { stdout } = logs.out();
    for (const name of ['web-1', 'web-2']) assert.match(stdout, new RegExp(`^${name} exited with code 0$`, 'm'));
    assert.equal(count(stdout, /^web-1 +\| web up$/), 1, stdout);
  } finally {
    logs.child.kill();
  }
}

composeSuite('berth compose logs -f', scenario);
