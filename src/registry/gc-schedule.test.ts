import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeSchedule, nextRun, parseSchedule } from './gc-schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('gc schedule', () => {
  it('parses the three kinds and refuses anything else with what is expected', () => {
    assert.deepEqual(parseSchedule({ kind: 'none' }), { kind: 'none' });
    assert.deepEqual(parseSchedule({ kind: 'interval', hours: 6 }), { kind: 'interval', hours: 6 });
    assert.deepEqual(parseSchedule({ kind: 'daily', time: '03:30' }), { kind: 'daily', time: '03:30' });
    assert.throws(() => parseSchedule({ kind: 'interval', hours: 0 }), /whole number from 1/);
    assert.throws(() => parseSchedule({ kind: 'interval', hours: 1.5 }), /whole number/);
    assert.throws(() => parseSchedule({ kind: 'interval', hours: '6' }), /whole number/);
    assert.throws(() => parseSchedule({ kind: 'daily', time: '24:00' }), /HH:MM/);
    assert.throws(() => parseSchedule({ kind: 'daily', time: '3:30' }), /HH:MM/);
    assert.throws(() => parseSchedule({ kind: 'weekly' }), /none, interval or daily/);
    assert.throws(() => parseSchedule(null), /none, interval or daily/);
  });

  it('has no next run when there is no schedule', () => {
    assert.equal(nextRun({ kind: 'none' }, undefined, at('2026-01-01T00:00:00Z')), undefined);
  });

  it('counts an interval from the last scheduled run, and runs a missed one at once', () => {
    const now = at('2026-01-01T10:00:00Z');
    const s = { kind: 'interval', hours: 6 } as const;
    assert.equal(nextRun(s, undefined, now), at('2026-01-01T16:00:00Z'));
    assert.equal(nextRun(s, at('2026-01-01T08:00:00Z'), now), at('2026-01-01T14:00:00Z'));
    assert.equal(nextRun(s, at('2025-12-31T00:00:00Z'), now), now);
  });

  it('runs daily at the next HH:MM UTC, never twice for the same day', () => {
    const s = { kind: 'daily', time: '03:30' } as const;
    assert.equal(nextRun(s, undefined, at('2026-01-01T01:00:00Z')), at('2026-01-01T03:30:00Z'));
    assert.equal(nextRun(s, undefined, at('2026-01-01T03:30:00Z')), at('2026-01-02T03:30:00Z'));
    assert.equal(nextRun(s, undefined, at('2026-01-01T23:59:00Z')), at('2026-01-02T03:30:00Z'));
    // A clock set back after today's run must not run it again today.
    assert.equal(nextRun(s, at('2026-01-01T03:30:00Z'), at('2026-01-01T03:00:00Z')), at('2026-01-02T03:30:00Z'));
  });

  it('describes a schedule for people', () => {
    assert.equal(describeSchedule({ kind: 'interval', hours: 1 }), 'every 1 hour');
    assert.equal(describeSchedule({ kind: 'interval', hours: 12 }), 'every 12 hours');
    assert.equal(describeSchedule({ kind: 'daily', time: '03:30' }), 'daily at 03:30 UTC');
    assert.equal(describeSchedule({ kind: 'none' }), 'not scheduled');
  });
});
