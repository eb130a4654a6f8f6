import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readOneByte } from './runc.js';

async function withFifo(fn: (fifo: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-runc-fifo-'));
  try {
    const fifo = join(dir, 'exec.fifo');
    execFileSync('mkfifo', [fifo]);
    await fn(fifo);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a short-lived init that wrote its byte and exited while we checked on it has started', () =>
  withFifo(async (fifo) => {
    const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      // The first read sees no writer; then "init" opens, writes, exits before initAlive answers.
      const initAlive = async (): Promise<boolean> => {
        await writeFile(fifo, '0');
        return false;
      };
      await readOneByte(reader, 'c1', initAlive);
    } finally {
      await reader.close();
    }
  }));

test('an init that exited without writing is reported as exited', () =>
  withFifo(async (fifo) => {
    const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await assert.rejects(readOneByte(reader, 'c1', async () => false), /cannot start container c1: its init process has exited/);
    } finally {
      await reader.close();
    }
  }));
