import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ipBatch, ipCmd, listLinks } from '../../platform/linux/ip.js';
import { destroySandbox, settleHostEndDeletions, type InterfacePlan } from './sandbox.js';

const isRoot = process.getuid?.() === 0;

test('a host veth end left after its sandbox is deleted in the background, and settled on demand', { skip: !isRoot && 'needs root' }, async () => {
  const name = `vhe${randomBytes(3).toString('hex')}`;
  // A pair whose peer never got into a namespace: only an explicit delete removes it.
  await ipBatch([`link add ${name} type veth peer name ${name}p`]);
  try {
    const plan = { driver: 'bridge', hostIfname: name } as InterfacePlan;
    await destroySandbox(`berth-test-gone-${name}`, [plan]);
    await settleHostEndDeletions();
    const links = (await listLinks()).map((l) => l.ifname);
    assert.ok(!links.includes(name) && !links.includes(`${name}p`), `${name} is gone`);
  } finally {
    await ipBatch([ipCmd.linkDel(name)]).catch(() => undefined);
  }
});
