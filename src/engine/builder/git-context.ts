/**
 * A git repository as a build context (the API's `remote=` with a git URL),
 * as dockerd 20.10 makes one (builder/remotecontext/git): `git init`, a
 * shallow fetch of the ref (default `master`) from `origin`, a checkout, the
 * submodules, and the context is the checkout, or its `:subdir`, `.git`
 * included. git runs with no system or user configuration and never prompts.
 * The clone lives in the builder's work directory and is removed once its
 * tar has been read, or when any step fails.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { EngineError } from '../../lib/errors.js';
import { fileContent, headerFor, type HardlinkIndex } from '../../lib/tar/pack.js';
import { encodeHeader, END_OF_ARCHIVE } from '../../lib/tar/writer.js';
import { isUrl } from '../../lib/urlutil.js';
import { fetchAnyPort } from '../../lib/fetch-any-port.js';

export interface GitRemote {
  remote: string;
  ref: string;
  subdir: string;
}

/** parseRemoteURL: `URL#ref:subdir`; `git@host:repo` is no URL and is split by hand. */
export function parseGitUrl(url: string): GitRemote {
  const transport = isUrl(url) || url.startsWith('git://') || url.startsWith('git@');
  const full = transport ? url : `https://${url}`;
  const hash = full.indexOf('#');
  const remote = hash < 0 ? full : full.slice(0, hash);
  const fragment = hash < 0 ? '' : full.slice(hash + 1);
  const colon = fragment.indexOf(':');
  const ref = (colon < 0 ? fragment : fragment.slice(0, colon)) || 'master';
  const subdir = colon < 0 ? '' : fragment.slice(colon + 1);
  if (ref.startsWith('-')) throw new EngineError('internal', `invalid refspec: ${ref}`);
  return { remote, ref, subdir };
}

class GitError extends Error {
  constructor(readonly output: string, readonly exit: string) {
    super(exit);
  }
}

/** Runs git on the clone; a failure carries git's combined output and Go's `exit status N`. */
function git(dir: string, args: string[], signal: AbortSignal): Promise<void> {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  return new Promise((resolve, reject) => {
    execFile('git', ['--work-tree', dir, '--git-dir', join(dir, '.git'), ...args], { cwd: dir, env, signal, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const code = (err as { code?: unknown }).code;
      const exit = typeof code === 'number' ? `exit status ${code}` : err.message;
      reject(new GitError(`${stdout}${stderr}`, exit));
    });
  });
}

/** dockerd wraps each failed step as errors.Wrapf(err, "<what>: %s", output): "<what>: <output>: exit status N". */
async function step(what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof GitError) throw new EngineError('internal', `${what}: ${err.output}: ${err.exit}`);
    if ((err as { code?: string }).code === 'ENOENT') throw new EngineError('internal', 'unable to find git: exec: "git": executable file not found in $PATH');
    throw err;
  }
}

/** Clones into `workDir` and returns the context directory (the checkout or its subdirectory) and the clone's root. */
async function clone(repo: GitRemote, workDir: string, signal: AbortSignal): Promise<{ root: string; context: string }> {
  const root = join(workDir, `git-${randomBytes(8).toString('hex')}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  try {
    await step(`failed to init repo at ${root}`, () => git(root, ['init'], signal));
    await step(`failed add origin repo at ${repo.remote}`, () => git(root, ['remote', 'add', 'origin', repo.remote], signal));
    const depth = (await supportsShallowClone(repo.remote)) ? ['--depth', '1'] : [];
    await step('error fetching', () => git(root, ['fetch', ...depth, 'origin', '--', repo.ref], signal));
    await step(`error checking out ${repo.ref}`, () => git(root, ['checkout', repo.ref], signal).catch((err) => git(root, ['checkout', 'FETCH_HEAD'], signal).catch(() => Promise.reject(err))));
    const context = await subdirOf(root, repo.subdir);
    await step('error initializing submodules', () => git(root, ['submodule', 'update', '--init', '--recursive', '--depth=1'], signal));
    return { root, context };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** A non-HTTP transport or a smart HTTP server can fetch one commit; a dumb HTTP server cannot. */
async function supportsShallowClone(remote: string): Promise<boolean> {
  if (!isUrl(remote)) return true;
  const res = await fetchAnyPort(`${remote}/info/refs?service=git-upload-pack`).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status === 200 && res.headers.get('content-type') === 'application/x-git-upload-pack-advertisement';
}

/** The `:subdir` of the fragment, symlinks followed inside the checkout only (FollowSymlinkInScope). */
async function subdirOf(root: string, subdir: string): Promise<string> {
  if (!subdir) return root;
  const wanted = join(root, subdir);
  const resolved = await realpath(wanted).catch(() => wanted);
  if (resolved !== root && !resolved.startsWith(root + sep)) throw new EngineError('internal', `error setting git context, ${JSON.stringify(subdir)} not within git root`);
  const st = await stat(resolved).catch(() => undefined);
  if (!st) throw new EngineError('internal', `stat ${resolved}: no such file or directory`);
  if (!st.isDirectory()) throw new EngineError('internal', `error setting git context, not a directory: ${resolved}`);
  return resolved;
}

/** The directory as an uncompressed tar (archive.Tar), names relative to it, sorted. */
async function* tarDirectory(dir: string): AsyncGenerator<Buffer> {
  const hardlinks: HardlinkIndex = new Map();
  async function* walk(path: string): AsyncGenerator<Buffer> {
    for (const name of (await readdir(path)).sort()) {
      const full = join(path, name);
      const st = await lstat(full);
      if (st.isSocket()) continue;
      const header = await headerFor(full, relative(dir, full), st, hardlinks);
      yield encodeHeader(header);
      if (header.type === 'file') yield* fileContent(full, header.size);
      if (st.isDirectory()) yield* walk(full);
    }
  }
  yield* walk(dir);
  yield END_OF_ARCHIVE;
}

/** The repository's context as a tar stream; the clone is removed when the stream ends, fails or is destroyed. */
export async function gitContext(url: string, workDir: string, signal: AbortSignal): Promise<Readable> {
  const repo = parseGitUrl(url);
  const { root, context } = await clone(repo, workDir, signal);
  const stream = Readable.from(tarDirectory(context));
  stream.once('close', () => void rm(root, { recursive: true, force: true }));
  return stream;
}
