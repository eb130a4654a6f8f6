import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatches } from './filter.js';
import type { EngineEvent } from './types.js';

const event = (Type: EngineEvent['Type'], Action: string, ID: string, Attributes: Record<string, string>): EngineEvent =>
  ({ Type, Action, Actor: { ID, Attributes }, scope: 'local', time: 1, timeNano: 1e9 });
const f = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

test('event filters follow moby: prefix names, images with or without tag, action prefixes, labels', () => {
  const start = event('container', 'start', 'abc123', { name: 'web', image: 'nginx:latest', tier: 'front' });
  assert.ok(eventMatches(f({ container: ['abc'] }), start));
  assert.ok(eventMatches(f({ container: ['web'] }), start));
  assert.ok(!eventMatches(f({ container: ['db'] }), start));
  assert.ok(eventMatches(f({ image: ['nginx'] }), start));
  assert.ok(eventMatches(f({ image: ['nginx:latest'] }), start));
  assert.ok(eventMatches(f({ label: ['tier=front'] }), start));
  assert.ok(eventMatches(f({ label: ['tier'] }), start));
  assert.ok(!eventMatches(f({ label: ['tier=back'] }), start));
  assert.ok(eventMatches(f({ event: ['start', 'die'], type: ['container'] }), start));
  assert.ok(!eventMatches(f({ type: ['image'] }), start));
  const exec = event('container', 'exec_start: sh -c true', 'abc123', { name: 'web' });
  assert.ok(eventMatches(f({ event: ['exec_start'] }), exec));
  assert.ok(!eventMatches(f({ event: ['start'] }), exec));
  // A container filter leaves out events of other kinds.
  assert.ok(!eventMatches(f({ container: ['web'] }), event('network', 'create', 'n1', { name: 'net', type: 'bridge' })));
  assert.ok(!eventMatches(f({ node: ['x'] }), start));
  // A name dockerd does not know filters nothing (GET /events never validates them).
  assert.ok(eventMatches(f({ colour: ['blue'] }), start));
});
