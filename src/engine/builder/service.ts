import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { invalid, notImplemented } from '../../lib/errors.js';
import { familiarName, familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from '../../lib/reference.js';
import type { TarSyscalls } from '../../lib/tar/syscalls.js';
import { PatternMatcher, parseDockerignore } from '../../lib/dockerignore.js';
import { DockerfileBuild, type BuildDeps } from './build.js';
import { fetchRemoteContext, readContextFile, removeContextFile, unpackContext } from './context.js';
import { parseDockerfile } from './dockerfile/parser.js';
import { shortId } from './steps.js';
import type { BuilderService, BuildOutput, BuildRequest } from './types.js';

export interface LocalBuilderDeps extends BuildDeps {
  /** A private directory for contexts and downloads (data root/builder), emptied after each build. */
  workDir: string;
  sys: Pick<TarSyscalls, 'mknod' | 'lsetxattr'>;
}

export class LocalBuilder implements BuilderService {
  constructor(private readonly deps: LocalBuilderDeps) {}

  async build(body: Readable, request: BuildRequest, output: BuildOutput, signal: AbortSignal): Promise<Digest> {
    checkRequest(request);
    const tags = request.tags.map(parseTagReference);
    const dir = join(this.deps.workDir, randomBytes(12).toString('hex'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const contextDir = join(dir, 'context');
      const scratchDir = join(dir, 'scratch');
      await mkdir(scratchDir);
      const dockerfileName = request.dockerfile || 'Dockerfile';
      const input = request.remote ? await fetchRemoteContext(request.remote, dockerfileName, signal) : body;
      await unpackContext(input, contextDir, this.deps.sys);
      const text = await this.readDockerfile(contextDir, request.dockerfile);
      const dockerfile = parseDockerfile(text);
      for (const warning of dockerfile.warnings) output.stream(`${warning}\n`);
      const id = await new DockerfileBuild(this.deps, request, output, signal, dockerfile, contextDir, scratchDir).run();
      await this.tagAll(id, tags);
      output.aux({ ID: id });
      output.stream(`Successfully built ${shortId(id)}\n`);
      for (const tag of tags) output.stream(`Successfully tagged ${familiarString(tag)}\n`);
      return id;
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * The Dockerfile (or "dockerfile" when the default name is missing), read
   * inside the context; then, as Docker, the Dockerfile and .dockerignore are
   * dropped from the context when .dockerignore lists them, so COPY . never
   * sees them.
   */
  private async readDockerfile(contextDir: string, requested: string): Promise<string> {
    const name = requested || 'Dockerfile';
    let content = await readContextFile(contextDir, name);
    if (content === null && !requested) content = await readContextFile(contextDir, 'dockerfile');
    if (content === null) throw invalid(`Cannot locate specified Dockerfile: ${name}`);
    if (content.toString('utf8').trim() === '') throw invalid(`the Dockerfile (${name}) cannot be empty`);
    const ignore = await readContextFile(contextDir, '.dockerignore');
    if (ignore !== null) {
      const matcher = new PatternMatcher(parseDockerignore(ignore.toString('utf8')));
      for (const file of [name, '.dockerignore']) if (matcher.matches(file)) await removeContextFile(contextDir, file);
    }
    return content.toString('utf8');
  }

  private async tagAll(id: Digest, tags: Reference[]): Promise<void> {
    for (const tag of tags) await this.deps.images.tag(id, familiarName(tag), tag.tag);
  }
}

/** -t values, checked before anything runs (Docker refuses a tag with a digest). */
function parseTagReference(tag: string): Reference {
  const ref = parseNormalizedNamed(tag);
  if (ref.digest) throw invalid(`invalid tag ${JSON.stringify(tag)}: refusing to create a tag with a digest reference`);
  return withDefaultTag(ref);
}

function checkRequest(request: BuildRequest): void {
  if (request.squash) throw notImplemented('--squash is not supported by berth\'s builder');
  if (request.pull) throw notImplemented('--pull is not supported: berth cannot pull from registries yet');
}
