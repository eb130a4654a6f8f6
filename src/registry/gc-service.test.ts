import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcService } from './gc-service.js';
import { Registry } from './registry.js';

/** Waits for `check` to hold, polling; the test fails after 10 s. */
async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('gc service schedule', () => {
  it('runs a scheduled collection that came due while the registry was down, once it starts, and counts the next from it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-gc-service-'));
    let service: GcService | undefined;
    try {
      const registry = await Registry.open({ root, deleteEnabled: false });
      const twoHoursAgo = Date.now() - 2 * 3600 * 1000;
      await mkdir(join(root, 'gc'), { recursive: true });
      await writeFile(join(root, 'gc', 'state.json'), JSON.stringify({ schedule: { kind: 'interval', hours: 1 }, lastScheduled: twoHoursAgo, runs: [] }));
      service = await GcService.open(registry, () => undefined);
      const run = await until('the scheduled run', () => service!.status().runs[0]);
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.error, undefined);
      // The next one is an hour after this run, not after the one it missed.
      const next = Date.parse(service.status().next_run!);
      assert.ok(next > Date.now() + 3500 * 1000, service.status().next_run!);
    } finally {
      service?.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
