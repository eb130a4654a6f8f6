import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogLine, readLog } from './log.js';
import type { LogEntry } from './types.js';

const line = (sec: number, stream: string, tag: string, text: string) => `2024-05-01T10:00:${String(sec).padStart(2, '0')}.123456789+00:00 ${stream} ${tag} ${text}\n`;

async function collect(it: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.stream}:${e.partial ? 'P' : 'F'}:${e.line.toString()}`);
  return out;
}

describe('k8s-file log reader', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const file = async (content: string) => {
    dir ||= await mkdtemp(join(tmpdir(), 'berth-log-'));
    const path = join(dir, `${Math.random().toString(16).slice(2)}.log`);
    await writeFile(path, content);
    return path;
  };

  it('parses a record, keeping the nanosecond timestamp and spaces in the text', () => {
    const e = parseLogLine(Buffer.from(line(5, 'stderr', 'F', ' two  spaces ').trimEnd()))!;
    assert.equal(e.stream, 'stderr');
    assert.equal(e.timestamp, '2024-05-01T10:00:05.123456789+00:00');
    assert.equal(e.time.toISOString(), '2024-05-01T10:00:05.123Z');
    assert.equal(e.line.toString(), ' two  spaces');
    assert.equal(parseLogLine(Buffer.from('garbage')), null);
  });

  it('reads all, partial records flagged, an unfinished last line held back', async () => {
    const p = await file(line(1, 'stdout', 'P', 'par') + line(2, 'stdout', 'F', 'tial') + line(3, 'stderr', 'F', '') + '2024-05-01T10:00:04');
    assert.deepEqual(await collect(readLog(p)), ['stdout:P:par', 'stdout:F:tial', 'stderr:F:']);
  });

  it('reads a file of several read chunks to its end, records split across chunks included', async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `record ${i} ${'x'.repeat(i % 97)}`);
    const p = await file(texts.map((t) => line(1, 'stdout', 'F', t)).join(''));
    assert.deepEqual(await collect(readLog(p)), texts.map((t) => `stdout:F:${t}`));
  });

  it('tail, since and until', async () => {
    const p = await file([1, 2, 3, 4, 5].map((s) => line(s, 'stdout', 'F', `l${s}`)).join(''));
    assert.deepEqual(await collect(readLog(p, { tail: 2 })), ['stdout:F:l4', 'stdout:F:l5']);
    assert.deepEqual(await collect(readLog(p, { tail: 0 })), []);
    assert.deepEqual(await collect(readLog(p, { tail: 99 })), ['stdout:F:l1', 'stdout:F:l2', 'stdout:F:l3', 'stdout:F:l4', 'stdout:F:l5']);
    const since = new Date('2024-05-01T10:00:03Z');
    const until = new Date('2024-05-01T10:00:05Z');
    assert.deepEqual(await collect(readLog(p, { since, until })), ['stdout:F:l3', 'stdout:F:l4']);
  });

  it('follows a growing file (and a replaced one) until aborted', async () => {
    const p = await file(line(1, 'stdout', 'F', 'first'));
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of readLog(p, { follow: true, signal: ac.signal })) {
        seen.push(e.line.toString());
        if (seen.length === 2) {
          // conmon replaces the file when it exceeds --log-size-max
          await writeFile(`${p}.new`, line(3, 'stdout', 'F', 'third'));
          await rename(`${p}.new`, p);
        }
        if (seen.length === 3) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(p, line(2, 'stdout', 'F', 'sec'));
    await appendFile(p, 'ond-no');
    await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error(`follow stalled: ${seen.join(',')}`)), 5000))]);
    assert.deepEqual(seen, ['first', 'sec', 'third']);
  });

  it('follow stops promptly when aborted while waiting', async () => {
    const p = await file('');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    assert.deepEqual(await collect(readLog(p, { follow: true, signal: ac.signal })), []);
    assert.ok(Date.now() - t0 < 1000);
  });
});
