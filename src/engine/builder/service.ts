import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { EngineError, invalid, notImplemented } from '../../lib/errors.js';
import { phase } from '../../lib/phases.js';
import { checkNewTag, familiarName, familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from '../../lib/reference.js';
import type { TarSyscalls } from '../../lib/tar/syscalls.js';
import { cleanPath, PatternMatcher, parseDockerignore } from '../../lib/dockerignore.js';
import { DockerfileBuild, type BuildDeps } from './build.js';
import { ContextCache, type CachedContext } from './context-cache.js';
import { fetchRemoteContext, readContextFile } from './context.js';
import { parseDockerfile } from './dockerfile/parser.js';
import { shortId } from './steps.js';
import type { BuilderService, BuildOutput, BuildRequest } from './types.js';

export interface LocalBuilderDeps extends BuildDeps {
  /** A private directory for contexts and downloads (data root/builder). */
  workDir: string;
  sys: Pick<TarSyscalls, 'mknod' | 'lsetxattr'>;
}

export class LocalBuilder implements BuilderService {
  private readonly contexts: ContextCache;

  constructor(private readonly deps: LocalBuilderDeps) {
    this.contexts = new ContextCache(join(deps.workDir, 'contexts'), deps.sys);
  }

  async build(body: Readable, request: BuildRequest, output: BuildOutput, signal: AbortSignal): Promise<Digest> {
    checkRequest(request, this.deps.puller !== undefined);
    const tags = request.tags.map(parseTagReference);
    const scratchDir = join(this.deps.workDir, `scratch-${randomBytes(12).toString('hex')}`);
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    let context: CachedContext | undefined;
    phase('build', 'build:begin');
    try {
      const dockerfileName = request.dockerfile || 'Dockerfile';
      const input = request.remote ? await fetchRemoteContext(request.remote, dockerfileName, this.deps.workDir, signal) : body;
      context = await this.contexts.acquire(input);
      const { text, hidden, name } = await this.readDockerfile(context.dir, request.dockerfile);
      const dockerfile = parseDockerfile(text, name);
      for (const warning of dockerfile.warnings) output.stream(`${warning}\n`);
      const source = { dir: context.dir, hidden, memo: context.memo };
      const id = await new DockerfileBuild(this.deps, request, output, signal, dockerfile, source, scratchDir).run();
      phase('build', 'build:done');
      await this.tagAll(id, tags);
      output.stream(`Successfully built ${shortId(id)}\n`);
      for (const tag of tags) output.stream(`Successfully tagged ${familiarString(tag)}\n`);
      return id;
    } finally {
      context?.release();
      await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * The Dockerfile (or "dockerfile" when the default name is missing), read
   * inside the context; and, as Docker, the Dockerfile and .dockerignore are
   * hidden from COPY when .dockerignore lists them.
   */
  private async readDockerfile(contextDir: string, requested: string): Promise<{ text: string; hidden: string[]; name: string }> {
    let name = requested || 'Dockerfile';
    // dockerd's words (and 500) for a name that climbs out of the context; a symlink is followed inside it instead.
    if (posix.normalize(`./${name}`).split('/')[0] === '..') throw new EngineError('internal', `forbidden path outside the build context: ${name} ()`);
    let content = await readContextFile(contextDir, name);
    if (content === null && !requested) {
      content = await readContextFile(contextDir, 'dockerfile');
      if (content !== null) name = 'dockerfile';
    }
    // dockerd's error here has no kind: a 500.
    if (content === null) throw new EngineError('internal', `Cannot locate specified Dockerfile: ${name}`);
    if (content.length === 0) throw invalid(`the Dockerfile (${name}) cannot be empty`);
    const ignore = await readContextFile(contextDir, '.dockerignore');
    const hidden: string[] = [];
    if (ignore !== null) {
      const matcher = new PatternMatcher(parseDockerignore(ignore.toString('utf8')));
      for (const file of [requested || 'Dockerfile', '.dockerignore']) if (matcher.matches(cleanPath(file))) hidden.push(cleanPath(file));
    }
    return { text: content.toString('utf8'), hidden, name };
  }

  private async tagAll(id: Digest, tags: Reference[]): Promise<void> {
    for (const tag of tags) await this.deps.images.tag(id, familiarName(tag), tag.tag);
  }
}

/** -t values, checked before anything runs (Docker refuses a tag with a digest). */
function parseTagReference(tag: string): Reference {
  const ref = parseNormalizedNamed(tag);
  try {
    return withDefaultTag(checkNewTag(ref));
  } catch (err) {
    throw invalid(`invalid tag ${JSON.stringify(tag)}: ${(err as Error).message}`);
  }
}

function checkRequest(request: BuildRequest, canPull: boolean): void {
  if (request.squash) throw notImplemented('--squash is not supported by berth\'s builder');
  if (request.pull && !canPull) throw notImplemented('--pull is not supported: this berthd has no registry client');
}
