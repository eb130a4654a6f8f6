import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGitUrl } from '../../lib/urlutil.js';
import { parseGitUrl } from './git-context.js';

test('git URLs are told apart as urlutil.IsGitURL does', () => {
  for (const url of ['https://h/r.git', 'http://h/r.git#main:dir', 'git://h/r', 'git@h:o/r', 'github.com/o/r']) assert.ok(isGitUrl(url), url);
  for (const url of ['https://h/ctx.tar.gz', 'https://h/r.git/', 'ftp://h/r.git']) assert.ok(!isGitUrl(url), url);
});

test('#ref:subdir, master by default, a leading dash refused', () => {
  assert.deepEqual(parseGitUrl('https://h/r.git'), { remote: 'https://h/r.git', ref: 'master', subdir: '' });
  assert.deepEqual(parseGitUrl('git://h/r.git#v1:app/web'), { remote: 'git://h/r.git', ref: 'v1', subdir: 'app/web' });
  assert.deepEqual(parseGitUrl('git@h:o/r.git#:sub'), { remote: 'git@h:o/r.git', ref: 'master', subdir: 'sub' });
  assert.deepEqual(parseGitUrl('github.com/o/r#dev'), { remote: 'https://github.com/o/r', ref: 'dev', subdir: '' });
  assert.throws(() => parseGitUrl('git://h/r.git#--upload-pack=x'), /invalid refspec: --upload-pack=x/);
});
