import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boolParam, intParam } from './request.js';

describe('intParam', () => {
  const q = (value: string) => new URLSearchParams({ t: value });

  it('reads int64 values as strconv.Atoi does, large ones included', () => {
    assert.equal(intParam(q('3000000'), 't'), 3000000);
    assert.equal(intParam(q('+5'), 't'), 5);
    assert.equal(intParam(q('-1'), 't'), -1);
    assert.equal(intParam(q(''), 't'), undefined);
    assert.equal(intParam(new URLSearchParams(), 't'), undefined);
  });

  it("refuses what Atoi refuses, in Go's words", () => {
    assert.throws(() => intParam(q('abc'), 't'), { message: 'strconv.Atoi: parsing "abc": invalid syntax' });
    assert.throws(() => intParam(q('1.5'), 't'), { message: 'strconv.Atoi: parsing "1.5": invalid syntax' });
    assert.throws(() => intParam(q('99999999999999999999'), 't'), { message: 'strconv.Atoi: parsing "99999999999999999999": value out of range' });
  });
});

describe('boolParam', () => {
  const q = (value: string) => new URLSearchParams({ force: value });

  it('is false only for what dockerd\'s BoolValue takes as false, and the fallback when absent', () => {
    for (const value of ['', '0', 'no', 'false', 'FALSE', ' None ']) assert.equal(boolParam(q(value), 'force'), false, value);
    for (const value of ['1', 'true', 'yes', 'x', 'off']) assert.equal(boolParam(q(value), 'force'), true, value);
    assert.equal(boolParam(new URLSearchParams(), 'force'), false);
    assert.equal(boolParam(new URLSearchParams(), 'force', true), true);
  });
});
