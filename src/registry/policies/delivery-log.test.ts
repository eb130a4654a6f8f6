import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryLog, KEEP_PER_WEBHOOK } from './delivery-log.js';
import type { Delivery } from './webhook-types.js';

const delivery = (id: string, status: Delivery['status'] = 'succeeded'): Delivery => ({ id, event_type: 'PUSH_ARTIFACT', repository: 'p/r', tag: id, status, attempts: [] });

describe('webhook delivery log', () => {
  it('keeps the newest deliveries per webhook, on disk, and shows unfinished ones as failed when reopened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-deliveries-'));
    try {
      const path = join(dir, 'deliveries.json');
      const log = await DeliveryLog.open(path, () => undefined);
      for (let i = 1; i <= KEEP_PER_WEBHOOK + 3; i++) log.add('hook', delivery(`d${i}`));
      const pending = delivery('last', 'pending');
      log.add('other', pending);
      pending.attempts.push({ time: 'now', status_code: 500 });
      log.changed();
      await log.flush();
      assert.equal(JSON.parse(await readFile(path, 'utf8')).hook.length, KEEP_PER_WEBHOOK);

      const again = await DeliveryLog.open(path, () => undefined);
      assert.deepEqual(again.list('hook').map((d) => d.id).slice(0, 2), [`d${KEEP_PER_WEBHOOK + 3}`, `d${KEEP_PER_WEBHOOK + 2}`]);
      const [stopped] = again.list('other');
      assert.equal(stopped!.status, 'failed');
      assert.deepEqual(stopped!.attempts.map((a) => a.status_code ?? a.error), [500, 'the registry stopped before the delivery finished']);
      again.forget('hook');
      await again.flush();
      assert.equal(JSON.parse(await readFile(path, 'utf8')).hook, undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
