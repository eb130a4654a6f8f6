import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryLog, KEEP_PER_WEBHOOK } from './delivery-log.js';
import type { Delivery } from './webhook-types.js';

const delivery = (id: string, status: Delivery['status'] = 'succeeded'): Delivery => ({ id, event_type: 'PUSH_ARTIFACT', repository: 'p/r', tag: id, status, attempts: [] });

/** Runs `fn` with a log file's path in a fresh directory, removed afterwards. */
async function withLogFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-deliveries-'));
  try {
    await fn(join(dir, 'deliveries.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('webhook delivery log', () => {
  it('keeps the newest deliveries per webhook, on disk, and shows unfinished ones as failed when reopened', () =>
    withLogFile(async (path) => {
      const log = await DeliveryLog.open(path, () => undefined);
      for (let i = 1; i <= KEEP_PER_WEBHOOK + 3; i++) log.add('hook', delivery(`d${i}`));
      const pending = delivery('last', 'pending');
      log.add('other', pending);
      pending.attempts.push({ time: 'now', status_code: 500 });
      log.changed();
      await log.flush();
      assert.equal(JSON.parse(await readFile(path, 'utf8')).deliveries.hook.length, KEEP_PER_WEBHOOK);

      const again = await DeliveryLog.open(path, () => undefined);
      assert.deepEqual(again.list('hook').map((d) => d.id).slice(0, 2), [`d${KEEP_PER_WEBHOOK + 3}`, `d${KEEP_PER_WEBHOOK + 2}`]);
      const [stopped] = again.list('other');
      assert.equal(stopped!.status, 'failed');
      assert.deepEqual(stopped!.attempts.map((a) => a.status_code ?? a.error), [500, 'the registry stopped before the delivery finished']);
      again.forget('hook');
      await again.flush();
      assert.equal(JSON.parse(await readFile(path, 'utf8')).deliveries.hook, undefined);
    }));

  it('keeps a pending delivery\'s body until it finishes, so that the next start carries on with it', () =>
    withLogFile(async (path) => {
      const log = await DeliveryLog.open(path, () => undefined);
      const pending = delivery('p1', 'pending');
      log.add('hook', pending, '{"type":"PUSH_ARTIFACT"}');
      log.add('hook', delivery('done'), '{"ignored":true}');
      pending.attempts.push({ time: 'then', status_code: 503 });
      log.changed();
      await log.flush();

      const again = await DeliveryLog.open(path, () => undefined);
      const [left] = again.unfinished();
      assert.deepEqual(again.unfinished().map((u) => [u.hookId, u.delivery.id, u.body]), [['hook', 'p1', '{"type":"PUSH_ARTIFACT"}']]);
      assert.equal(left!.delivery.status, 'pending');
      assert.deepEqual(left!.delivery.attempts.map((a) => a.status_code), [503]);
      left!.delivery.status = 'succeeded';
      again.changed();
      await again.flush();
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')).pending, {});
      assert.deepEqual((await DeliveryLog.open(path, () => undefined)).unfinished(), []);
    }));

  it('reads the history saved before pending bodies were kept', () =>
    withLogFile(async (path) => {
      await writeFile(path, JSON.stringify({ hook: [delivery('old'), delivery('cut', 'pending')] }));
      const log = await DeliveryLog.open(path, () => undefined);
      assert.deepEqual(log.list('hook').map((d) => [d.id, d.status]), [['old', 'succeeded'], ['cut', 'failed']]);
      assert.deepEqual(log.unfinished(), []);
    }));
});
