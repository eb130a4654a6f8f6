import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goUrlParseError } from './go-url.js';

describe('goUrlParseError', () => {
  it("gives Go's reasons for URLs url.Parse refuses", () => {
    assert.equal(goUrlParseError('http://[::1'), `parse "http://[::1": missing ']' in host`);
    assert.equal(goUrlParseError('https://%zz'), `parse "https://%zz": invalid URL escape "%zz"`);
    assert.equal(goUrlParseError('https://a:b'), `parse "https://a:b": invalid port ":b" after host`);
    assert.equal(goUrlParseError('https://a\nb'), `parse "https://a\\nb": net/url: invalid control character in URL`);
    assert.equal(goUrlParseError('https://a/b%2'), `parse "https://a/b%2": invalid URL escape "%2"`);
  });

  it('accepts what Go accepts', () => {
    for (const ok of ['https://localhost:5000', 'https://[::1]:5000/v2/', 'https://index.docker.io/v1/', 'https://:::']) {
      assert.equal(goUrlParseError(ok), undefined, ok);
    }
  });
});
