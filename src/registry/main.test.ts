import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './main.js';

describe('berth registry arguments', () => {
  const serveFlags = { values: ['--config', '--addr', '--root', '--htpasswd'], booleans: ['--delete-enabled', '--no-access-log'] };

  it('maps flags onto settings, both --flag value and --flag=value, with a positional config file', () => {
    const parsed = parseArgs(['config.yml', '--addr=127.0.0.1:5001', '--root', '/srv/r', '--delete-enabled', '--no-access-log'], serveFlags);
    assert.equal(parsed.config, 'config.yml');
    assert.deepEqual(parsed.settings, {
      'http.addr': '127.0.0.1:5001',
      'storage.filesystem.rootdirectory': '/srv/r',
      'storage.delete.enabled': true,
      'log.accesslog.disabled': true,
    });
  });

  it('keeps switches that are not settings, and refuses what it does not know', () => {
    assert.deepEqual([...parseArgs(['--dry-run'], { values: ['--root'], booleans: ['--dry-run'] }).switches], ['--dry-run']);
    assert.throws(() => parseArgs(['--addr'], serveFlags), /flag needs an argument: --addr/);
    assert.throws(() => parseArgs(['--bogus'], serveFlags), /unknown flag or argument: --bogus/);
    assert.throws(() => parseArgs(['a.yml', 'b.yml'], serveFlags), /unknown flag or argument: b\.yml/);
    assert.throws(() => parseArgs(['--dry-run'], serveFlags), /unknown flag or argument: --dry-run/, 'gc switches are not serve flags');
  });
});
