import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isImmutable, parseImmutableRules } from './immutability.js';
import { parseRetentionRules, planRetention, type TagInfo } from './retention.js';

const tag = (repository: string, name: string, pushed: number, immutable = false): TagInfo => ({ repository, tag: name, digest: `sha256:${name}`, pushed, immutable });
const names = (list: TagInfo[]) => list.map((t) => `${t.repository}:${t.tag}`).sort();

describe('retention rules', () => {
  const tags = [tag('app', 'v1', 1), tag('app', 'v2', 2), tag('app', 'v3', 3), tag('app', 'release-1', 0), tag('tool', 'x', 1), tag('tool', 'y', 2)];

  it('keeps the latest N by push time in each repository a rule selects, and deletes the rest there', () => {
    const plan = planRetention(parseRetentionRules([{ repositories: 'app', keep: 'latest', count: 2 }]), tags);
    assert.deepEqual(names(plan.delete), ['app:release-1', 'app:v1']);
    // "tool" is in no rule's scope: untouched.
    assert.ok(names(plan.keep).includes('tool:x'));
  });

  it('keeps a tag that any rule retains (latest N or matching a pattern)', () => {
    const rules = parseRetentionRules([
      { keep: 'latest', count: 1 },
      { tags: 'release-*', keep: 'all' },
    ]);
    const plan = planRetention(rules, tags);
    assert.deepEqual(names(plan.keep), ['app:release-1', 'app:v3', 'tool:y']);
    assert.deepEqual(names(plan.delete), ['app:v1', 'app:v2', 'tool:x']);
  });

  it('counts N among the tags the rule selects only, newest first, ties by name', () => {
    const plan = planRetention(parseRetentionRules([{ tags: 'v*', keep: 'latest', count: 2 }]), [tag('a', 'v1', 5), tag('a', 'v2', 5), tag('a', 'v3', 1), tag('a', 'other', 9)]);
    assert.deepEqual(names(plan.keep), ['a:v1', 'a:v2']);
    // "other" is in a repository the rule covers but not selected: retention lists what stays, so it goes.
    assert.deepEqual(names(plan.delete), ['a:other', 'a:v3']);
  });

  it('never deletes an immutable tag, nor counts it against N', () => {
    const plan = planRetention(parseRetentionRules([{ keep: 'latest', count: 1 }]), [tag('a', 'old', 1, true), tag('a', 'v1', 2), tag('a', 'v2', 3)]);
    assert.deepEqual(names(plan.keep), ['a:old', 'a:v2']);
    assert.deepEqual(names(plan.delete), ['a:v1']);
  });

  it('keeps everything without rules, and validates rules', () => {
    assert.deepEqual(planRetention([], tags).delete, []);
    assert.throws(() => parseRetentionRules([{ keep: 'latest' }]), /count/);
    assert.throws(() => parseRetentionRules([{ keep: 'latest', count: 0 }]), /count/);
    assert.throws(() => parseRetentionRules([{ keep: 'some' }]), /keep/);
    assert.throws(() => parseRetentionRules({}), /list/);
    assert.deepEqual(parseRetentionRules([{ keep: 'all', tags: 'v*' }]), [{ repositories: '**', tags: 'v*', keep: 'all' }]);
  });
});

describe('immutability rules', () => {
  it('select tags by repository and tag pattern', () => {
    const rules = parseImmutableRules([{ repositories: 'prod/**', tags: 'v*' }, { tags: 'stable' }]);
    assert.ok(isImmutable(rules, 'prod/api', 'v1'));
    assert.ok(!isImmutable(rules, 'prod/api', 'latest'));
    assert.ok(!isImmutable(rules, 'dev', 'v1'));
    assert.ok(isImmutable(rules, 'dev', 'stable'));
    assert.throws(() => parseImmutableRules([5]), /object/);
  });
});
