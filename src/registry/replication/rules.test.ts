import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { destinationName, ruleFrom, ruleView } from './rules.js';

describe('replication rules', () => {
  const body = { name: 'r', target: { url: 'http://127.0.0.1:5000/', username: 'u', password: 'secret' }, tags: 'v*' };

  it('takes defaults, and never shows the password', () => {
    const rule = ruleFrom('library', body);
    assert.equal(rule.repositories, '**');
    assert.equal(rule.trigger, 'event');
    assert.equal(rule.target.url, 'http://127.0.0.1:5000');
    assert.doesNotMatch(JSON.stringify(ruleView(rule)), /secret/);
    assert.equal(ruleView(rule).target.has_password, true);
  });

  it('keeps the password on an update that does not send one, drops it with another user', () => {
    const rule = ruleFrom('library', body);
    assert.equal(ruleFrom('library', { target: { url: 'http://127.0.0.1:5000', username: 'u' } }, rule).target.password, 'secret');
    assert.equal(ruleFrom('library', { target: { url: 'http://127.0.0.1:5000', username: 'v' } }, rule).target.password, undefined);
    assert.equal(ruleFrom('library', { enabled: false }, rule).target.password, 'secret');
  });

  it('refuses bad input', () => {
    assert.throws(() => ruleFrom('library', { ...body, name: '' }), /name/);
    assert.throws(() => ruleFrom('library', { ...body, trigger: 'hourly' }), /trigger/);
    assert.throws(() => ruleFrom('library', { ...body, target: { url: 'ftp://x' } }), /url/);
    assert.throws(() => ruleFrom('library', { ...body, tags: '{a' }), /unclosed/);
    assert.throws(() => ruleFrom('library', { ...body, dest_namespace: 'Bad Name' }));
  });

  it('renames into the destination namespace', () => {
    assert.equal(destinationName(ruleFrom('library', body), 'library/busybox'), 'library/busybox');
    assert.equal(destinationName(ruleFrom('library', { ...body, dest_namespace: 'mirror/team' }), 'library/a/b'), 'mirror/team/a/b');
  });
});
