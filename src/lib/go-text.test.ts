import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goQuote, goQuoteRune } from './go-text.js';

describe('Go quoting', () => {
  it('quotes strings as strconv.Quote', () => {
    assert.equal(goQuote('a "b"\n\x01é'), '"a \\"b\\"\\n\\x01é"');
  });

  it('quotes integers as strconv.QuoteRune (what %q prints for an int)', () => {
    assert.equal(goQuoteRune(0), "'\\x00'");
    assert.equal(goQuoteRune(4), "'\\x04'");
    assert.equal(goQuoteRune(10), "'\\n'");
    assert.equal(goQuoteRune(65), "'A'");
    assert.equal(goQuoteRune(39), "'\\''");
    assert.equal(goQuoteRune(34), `'"'`);
    assert.equal(goQuoteRune(0x85), "'\\u0085'");
    assert.equal(goQuoteRune(0xd800), "'�'");
    assert.equal(goQuoteRune(2 ** 31 - 1), "'�'");
  });
});
