import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditLog } from './audit.js';

test('a read finds the appends recorded before it, even while they are still being written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-audit-'));
  try {
    const log = new AuditLog(join(dir, 'audit.log'));
    // Not awaited: as the server records an operation after its answer, and the client reads next.
    void log.record({ operation: 'push', user: 'alice', repository: 'library/a', reference: 'v1' });
    void log.record({ operation: 'delete', user: 'admin', repository: 'library/a', reference: 'v1' });
    const entries = await log.read(() => true, 10);
    assert.deepEqual(entries.map((e) => [e.operation, e.user]), [['delete', 'admin'], ['push', 'alice']]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
