// Loads the berth CLI bundle, dist/bundle/berth.cjs, made by `make build`
// (scripts/bundle-cli.ts says why one CommonJS file), for bin/berth and
// bin/docker-compose. Modules run only when a command imports them; V8
// compiles functions on first call.
//
// The bundle is compiled with a V8 code cache (Node 20 has no
// module.enableCompileCache): the first run saves what V8 compiled to
// $XDG_CACHE_HOME/berth (else ~/.cache/berth), named after the bundle's
// sha256 and the Node version; later runs skip parsing and compiling it.
// A cache V8 rejects, or none, only costs the normal compile.
'use strict';
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** The bundle's exports (`run`). */
function loadBundle() {
  const dir = join(__dirname, '..', 'dist', 'bundle');
  const manifest = JSON.parse(readFileSync(join(dir, 'berth.json'), 'utf8'));
  const file = join(dir, manifest.file);
  const cacheFile = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'berth', `cli-${manifest.sha256.slice(0, 32)}-${process.version}-${process.arch}.v8`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: this run makes it.
  }
  // The wrapper CommonJS gives a module, so the bundle sees require and __filename.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so the cache holds the functions this command compiled, not only the top level.
    process.once('exit', () => saveCache(cacheFile, () => script.createCachedData()));
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dir);
  return module.exports;
}

/** Written whole under a temporary name, then renamed: a concurrent berth reads the old cache or the new, never half. */
function saveCache(cacheFile, produce) {
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, produce(), { mode: 0o600 });
    renameSync(temp, cacheFile);
  } catch {
    // A read-only or missing home: run without a cache.
  }
}

module.exports = { loadBundle };
