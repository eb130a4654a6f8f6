/**
 * Images move between berthd and the real dockerd (Debian's docker.io) with
 * their IDs intact, in both directions, through save and load.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, TestDaemon } from './harness.js';

describe('save/load round trips with dockerd 20.10', { skip: dockerdSkipReason() }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;

  before(async () => {
    [berthd, dockerd] = await Promise.all([TestDaemon.start(), ReferenceDockerd.start()]);
  });
  after(async () => {
    await Promise.all([berthd?.stop(), dockerd?.stop()]);
  });

  const idIn = (run: (args: string[]) => { stdout: string }, ref: string) => run(['image', 'inspect', '-f', '{{.Id}}', ref]).stdout.trim();

  test('an image saved by berth loads into dockerd with the same ID', async () => {
    const imported = berthd.berth(['import', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', await busyboxRootfs(), 'rt/berth-made:1']);
    assert.equal(imported.code, 0, imported.stderr);
    const loadedFixture = berthd.berth(['load', '-i', join(ROOT, 'test', 'fixtures', 'dockerd-20.10-save.tar')]);
    assert.equal(loadedFixture.code, 0, loadedFixture.stderr);
    const tar = join(berthd.dir, 'from-berth.tar');
    assert.equal(berthd.berth(['save', '-o', tar, 'rt/berth-made:1', 'berth-fixture:1.0']).code, 0);
    const load = dockerd.docker(['load', '-i', tar]);
    assert.equal(load.code, 0, load.stderr);
    for (const ref of ['rt/berth-made:1', 'berth-fixture:1.0']) {
      assert.equal(idIn((a) => dockerd.docker(a), ref), idIn((a) => berthd.berth(a), ref), ref);
    }
    assert.equal(dockerd.docker(['image', 'inspect', '-f', '{{.Config.Env}}', 'rt/berth-made:1']).stdout.trim(), '[A=1]');
  });

  test('an image saved by dockerd loads into berth with the same ID', async () => {
    const imported = dockerd.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'rt/docker-made:1']);
    assert.equal(imported.code, 0, imported.stderr);
    const tar = join(dockerd.dir, 'from-dockerd.tar');
    assert.equal(dockerd.docker(['save', '-o', tar, 'rt/docker-made:1']).code, 0);
    const load = berthd.berth(['load', '-i', tar]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(idIn((a) => berthd.berth(a), 'rt/docker-made:1'), idIn((a) => dockerd.docker(a), 'rt/docker-made:1'));
    // And the sizes agree, measured the way Docker measures layers.
    const size = (run: (args: string[]) => { stdout: string }) => run(['image', 'inspect', '-f', '{{.Size}}', 'rt/docker-made:1']).stdout.trim();
    assert.equal(size((a) => berthd.berth(a)), size((a) => dockerd.docker(a)));
  });
});
