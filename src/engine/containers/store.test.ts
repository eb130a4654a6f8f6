import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerStore } from './store.js';
import { initialState } from './state.js';
import type { Container } from './types.js';

function container(id: string, name: string): Container {
  return {
    id, name, created: new Date().toISOString(), image: 'sha256:x' as Container['image'], imageName: 'img', path: 'true', args: [], config: {},
    hostConfig: {}, state: initialState(), restartCount: 0, hasBeenManuallyStopped: false, rwLayer: id,
    logPath: '', hostnamePath: '', hostsPath: '', resolvConfPath: '',
  } as Container;
}

describe('ContainerStore', () => {
  test('delete forgets at once and the directory is gone once settled; open clears what a crash left', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'berth-cstore-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const store = await ContainerStore.open(root);
    const id = 'a'.repeat(64);
    await store.add(container(id, '/one'));
    await store.save(store.get(id)!);
    writeFileSync(join(store.dirOf(id), 'ctr.log'), 'x');
    await store.delete(id);
    assert.equal(store.get(id), undefined);
    assert.throws(() => store.find('one'), /No such container/);
    await store.settled();
    assert.deepEqual(readdirSync(root), []);

    mkdirSync(join(root, `.trash-${'b'.repeat(64)}`, 'rootfs'), { recursive: true });
    const kept = 'c'.repeat(64);
    await store.add(container(kept, '/kept'));
    await store.save(store.get(kept)!);
    const reopened = await ContainerStore.open(root);
    assert.deepEqual(readdirSync(root), [kept]);
    assert.equal(reopened.find('kept').id, kept);
    assert.equal(existsSync(join(root, kept, 'config.v2.json')), true);
  });
});
