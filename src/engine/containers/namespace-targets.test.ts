import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../../lib/errors.js';
import { joinedNamespaces, resolveNamespaceTargets } from './namespace-targets.js';
import type { Container, HostConfig } from './types.js';

const ID = 'a'.repeat(64);
const donor = (ipc: string, running = true) =>
  ({ id: ID, hostConfig: { IpcMode: ipc }, state: { Running: running, Restarting: false, Pid: running ? 42 : 0 } }) as unknown as Container;
const lookup = (c: Container) => ({
  find: (id: string) => {
    if (id !== ID) throw notFound(`No such container: ${id}`);
    return c;
  },
  dirOf: (id: string) => `/data/${id}`,
});
const joining = (h: HostConfig) => ({ id: 'b'.repeat(64), hostConfig: h }) as unknown as Container;

describe('container:<x> namespaces', () => {
  it('are recorded by full ID at create; an unknown target is a 400 "No such container"', () => {
    const h: HostConfig = { PidMode: 'container:web', IpcMode: 'container:web' };
    resolveNamespaceTargets(h, () => ID);
    assert.deepEqual([h.PidMode, h.IpcMode], [`container:${ID}`, `container:${ID}`]);
    assert.throws(() => resolveNamespaceTargets({ IpcMode: 'container:nosuch' }, (n) => lookup(donor('')).find(n).id), { kind: 'invalid', message: 'No such container: nosuch' });
  });

  it("join a running donor's /proc namespaces; IPC only from a shareable (or host) donor", async () => {
    const shared = await joinedNamespaces(joining({ PidMode: `container:${ID}`, IpcMode: `container:${ID}` }), lookup(donor('shareable')));
    assert.deepEqual(shared, { pid: { path: '/proc/42/ns/pid' }, ipc: { path: '/proc/42/ns/ipc' }, shmSource: `/data/${ID}/mounts/shm` });
    assert.deepEqual(await joinedNamespaces(joining({ IpcMode: `container:${ID}` }), lookup(donor('host'))), { ipc: 'host', shmSource: '/dev/shm' });
    await assert.rejects(joinedNamespaces(joining({ IpcMode: `container:${ID}` }), lookup(donor(''))), {
      message: `can't join IPC of container ${ID}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    });
    await assert.rejects(joinedNamespaces(joining({ PidMode: `container:${ID}` }), lookup(donor('', false))), { kind: 'conflict', message: `container ${ID} is not running` });
    await assert.rejects(joinedNamespaces(joining({ IpcMode: `container:${ID}` }), lookup(donor('shareable', false))), {
      kind: 'conflict', message: `can't join IPC of container ${ID}: container ${ID} is not running`,
    });
  });
});
