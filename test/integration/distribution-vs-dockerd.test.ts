/**
 * berthd and a private dockerd 20.10 pull the same images from the same
 * berth registry: the same image IDs and RepoDigests, the same closing lines
 * of `docker pull`, and the same errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dockerdSkipReason, ReferenceDockerd, TestDaemon, type RunResult } from './harness.js';
import { TestRegistry } from './registry-harness.js';
import { pushRawImage, tarOf } from './distribution-helpers.js';

/** The last lines of a pull (Digest, Status, the reference), which do not depend on timing. */
function closing(result: RunResult): string[] {
  return result.stdout.trim().split('\n').slice(-3);
}

describe('pull compared with dockerd 20.10', { skip: dockerdSkipReason() }, () => {
  let registry: TestRegistry;
  let berth: TestDaemon;
  let dockerd: ReferenceDockerd;
  let host: string;

  before(async () => {
    registry = await TestRegistry.start();
    host = registry.hostPort;
    await pushRawImage(registry, 'same/app', '1', [await tarOf({ 'etc/a': 'a\n' }), await tarOf({ 'etc/b': 'b\n' })]);
    berth = await TestDaemon.start();
    dockerd = await ReferenceDockerd.start();
  });
  after(async () => {
    await berth?.stop();
    await dockerd?.stop();
    await registry?.stop();
  });

  it('gives the same image ID, RepoDigests and closing lines', () => {
    const ours = berth.docker(['pull', `${host}/same/app:1`]);
    const theirs = dockerd.docker(['pull', `${host}/same/app:1`]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.deepEqual(closing(ours), closing(theirs));
    const inspect = ['image', 'inspect', '-f', '{{.Id}} {{json .RepoDigests}} {{json .RepoTags}}', `${host}/same/app:1`];
    assert.equal(berth.docker(inspect).stdout, dockerd.docker(inspect).stdout);
    const again = ['pull', `${host}/same/app:1`];
    assert.deepEqual(closing(berth.docker(again)), closing(dockerd.docker(again)));
  });

  it('gives the same errors for a missing tag and an unreachable registry', () => {
    for (const ref of [`${host}/same/app:nope`, '127.0.0.1:1/nothing:1']) {
      const ours = berth.docker(['pull', ref]);
      const theirs = dockerd.docker(['pull', ref]);
      assert.equal(ours.code, theirs.code, `${ref}: ${ours.stderr} vs ${theirs.stderr}`);
      if (ref.includes('nope')) assert.equal(ours.stderr, theirs.stderr);
      else assert.match(ours.stderr, /connection refused/);
    }
  });
});
