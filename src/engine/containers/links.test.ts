import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../lib/errors.js';
import { linkRemoval, parseLink } from './links.js';

const c2 = { name: '/c2', hostConfig: { Links: ['/c1:/c2/al', 'c3:other'] } };
const c1 = { name: '/c1', hostConfig: {} };
const find = (name: string) => [c1, c2].find((c) => c.name === name);

describe('links', () => {
  it('reads every form of a link entry', () => {
    assert.deepEqual(parseLink('/c1:/c2/al'), { target: 'c1', alias: 'al' });
    assert.deepEqual(parseLink('c1:al'), { target: 'c1', alias: 'al' });
    assert.deepEqual(parseLink('c1'), { target: 'c1', alias: 'c1' });
  });

  it('drops the named link from its parent, with or without the leading slash', () => {
    for (const name of ['/c2/al', 'c2/al']) {
      const { parent, links } = linkRemoval(name, find);
      assert.equal(parent, c2);
      assert.deepEqual(links, ['c3:other']);
    }
  });

  it("refuses a container's own name, and says No such container for what is no link", () => {
    assert.throws(() => linkRemoval('c1', find), (err) => isEngineError(err, 'conflict') && /default link name/.test(err.message));
    assert.throws(() => linkRemoval('nope', find), (err) => isEngineError(err, 'notFound') && err.message === 'No such container: nope');
    assert.throws(() => linkRemoval('c2/nope', find), (err) => isEngineError(err, 'notFound') && err.message === 'No such container: c2/nope');
    assert.throws(() => linkRemoval('nope/al', find), (err) => isEngineError(err, 'notFound'));
  });
});
