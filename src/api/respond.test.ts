import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goJsonLine } from './respond.js';

describe('goJsonLine', () => {
  it('writes what a Go json.Encoder writes: HTML characters and line separators escaped, a newline after', () => {
    assert.equal(goJsonLine({ stream: ' ---> abc\n', l: 'a&b<c>', s: 'x\u2028y\u2029' }), '{"stream":" ---\\u003e abc\\n","l":"a\\u0026b\\u003cc\\u003e","s":"x\\u2028y\\u2029"}\n');
    assert.deepEqual(JSON.parse(goJsonLine({ l: '<&>' })), { l: '<&>' });
  });
});
