import { posix } from 'node:path';
import type { Digest } from '../../lib/digest.js';
import { inContext, invalid, notFound } from '../../lib/errors.js';
import { hostPlatform, parsePlatform } from '../../lib/platform.js';
import { DEFAULT_PATH } from '../containers/types.js';
import type { ContainerService } from '../containers/types.js';
import type { ContainerConfig, Image, ImageService } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import type { ImagePuller } from '../distribution/types.js';
import { BuildArgs, expansionEnv } from './args.js';
import { BuildCache } from './cache.js';
import { directoryTar, downloadSource, prepareCopy, type CopyRoot } from './copy.js';
import { ShellLex } from './dockerfile/lex.js';
import { parseTrigger } from './dockerfile/parser.js';
import type { CopyInstruction, Dockerfile, Instruction, RunInstruction, Stage } from './dockerfile/types.js';
import { stageIndex, stagesToBuild } from './stages.js';
import { applyMetadata, commandArgs, isMetadata, setEnv, shellOf, workdirOf, type MetadataState } from './metadata.js';
import { mountImage } from './image-mount.js';
import { shortId, StepRunner } from './steps.js';
import type { BuildOutput, BuildRequest } from './types.js';

/**
 * One run of a Dockerfile: stages in order (only those the target needs),
 * each instruction a step that either finds its result in the cache or makes
 * it, printing what the classic builder prints.
 */

export interface BuildDeps {
  images: ImageService;
  containers: ContainerService;
  layers: LayerStore;
  /** Pulls FROM images that are not here (and every one with --pull); without it they must be local. */
  puller?: ImagePuller;
}

/** The unpacked context: never written to; files .dockerignore hides from COPY; a memo for COPY source hashes. */
export interface BuildContext {
  dir: string;
  hidden: readonly string[];
  memo: Map<string, unknown>;
}

interface StageState extends MetadataState {
  imageId: Digest;
}

const NO_HEALTHCHECK = { Test: ['NONE'] };

export class DockerfileBuild {
  private readonly args: BuildArgs;
  private readonly lex: ShellLex;
  private readonly runner: StepRunner;
  private cache!: BuildCache;
  private readonly stageImages = new Map<number, Digest>();
  private step = 0;
  private total = 0;

  constructor(
    private readonly deps: BuildDeps,
    private readonly request: BuildRequest,
    private readonly output: BuildOutput,
    private readonly signal: AbortSignal,
    private readonly dockerfile: Dockerfile,
    private readonly context: BuildContext,
    private readonly scratchDir: string,
  ) {
    this.args = new BuildArgs(request.buildArgs);
    this.lex = new ShellLex(dockerfile.directives.escape);
    this.runner = new StepRunner(deps, request, output, signal);
  }

  async run(): Promise<Digest> {
    this.cache = new BuildCache(this.deps.images, await this.cacheSources(), (parent, source, index) => this.restoreFromSource(parent, source, index));
    for (const meta of this.dockerfile.metaArgs) {
      for (const { key, value } of meta.args) {
        this.args.declareMeta(key, value === undefined ? undefined : this.lex.processWord(value, this.args.metaEnv()));
      }
    }
    const selected = stagesToBuild(this.dockerfile, this.request.target, (word) => this.lex.processWord(word, this.args.metaEnv()));
    this.total = selected.reduce((n, i) => n + 1 + this.dockerfile.stages[i]!.instructions.length, 0) + Object.keys(this.request.labels).length;
    let last: Digest | undefined;
    for (const index of selected) {
      last = await this.runStage(index, index === selected[selected.length - 1]);
      this.stageImages.set(index, last);
      this.output.aux({ ID: last }); // as the classic builder, at the end of every stage
    }
    const unused = this.args.unconsumed();
    if (unused.length > 0) this.output.stream(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    return last!;
  }

  private async runStage(index: number, isFinal: boolean): Promise<Digest> {
    const stage = this.dockerfile.stages[index]!;
    this.checkCancelled(); // before a FROM that may pull
    this.announce(stage.from.original);
    const base = await this.baseImage(stage, index);
    this.output.stream(` ---> ${shortId(base.id)}\n`);
    this.args.beginStage();
    const config = structuredClone(base.config.config ?? {});
    // As dockerd's classic builder (beginStage): a stage whose image sets no PATH gets the default one, kept in what it commits.
    if (!(config.Env ?? []).some((e) => e.startsWith('PATH='))) config.Env = [...(config.Env ?? []), DEFAULT_PATH];
    const state: StageState = { imageId: base.id, config, author: base.config.author ?? '', cmdSet: false };
    await this.runTriggers(state);
    for (const instruction of stage.instructions) {
      this.announce(instruction.original);
      await this.dispatch(state, instruction);
    }
    if (isFinal && Object.keys(this.request.labels).length > 0) await this.applyBuildLabels(state);
    return state.imageId;
  }

  private announce(original: string): void {
    this.step++;
    // Two messages, as dockerd writes them.
    this.output.stream(`Step ${this.step}/${this.total} : ${original}`);
    this.output.stream('\n');
  }

  private async baseImage(stage: Stage, index: number): Promise<Image> {
    const name = this.lex.processWord(stage.from.image, this.args.metaEnv());
    const platform = stage.from.platform ? this.lex.processWord(stage.from.platform, this.args.metaEnv()) : this.request.platform;
    checkPlatform(platform);
    const earlier = stageIndex(this.dockerfile, name, index);
    if (earlier !== undefined && !/^\d+$/.test(name)) return this.deps.images.resolve(this.stageImages.get(earlier)!);
    if (name.toLowerCase() === 'scratch') return this.deps.images.resolve(await this.deps.images.emptyImage());
    return this.localImage(name);
  }

  private async localImage(name: string): Promise<Image> {
    const { puller } = this.deps;
    const local = this.request.pull ? undefined : await this.deps.images.resolve(name).catch(() => undefined);
    if (local) return local;
    if (!puller) throw notFound(`pull access denied for ${name}: the image is not here and this berthd has no registry client; build, load or import it first`);
    await puller.pull(name, { platform: this.request.platform, registryAuths: this.request.registryAuths, progress: (message) => this.output.progress(message) });
    return this.deps.images.resolve(name);
  }

  /** ONBUILD triggers of the base image run first, and are not inherited further. */
  private async runTriggers(state: StageState): Promise<void> {
    const triggers = state.config.OnBuild ?? [];
    state.config.OnBuild = null;
    if (triggers.length === 0) return;
    this.output.stream(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}\n`);
    for (const trigger of triggers) await this.dispatch(state, parseTrigger(trigger, this.dockerfile.directives.escape));
  }

  private env(state: StageState): Map<string, string> {
    return expansionEnv(state.config.Env ?? [], this.args.allowed(state.config.Env ?? []));
  }

  /** As dockerd, a client gone stops the build before its next step. */
  private checkCancelled(): void {
    if (this.signal.aborted) throw invalid('the build was cancelled');
  }

  private async dispatch(state: StageState, ins: Instruction): Promise<void> {
    this.checkCancelled();
    switch (ins.kind) {
      case 'RUN':
        return this.runStep(state, ins);
      case 'COPY':
      case 'ADD':
        return this.copyStep(state, ins);
      case 'WORKDIR':
        return this.workdirStep(state, this.lex.processWord(ins.path, this.env(state)));
      case 'ARG': {
        const shown: string[] = [];
        for (const { key, value } of ins.args) {
          const expanded = value === undefined ? undefined : this.lex.processWord(value, this.env(state));
          this.args.declare(key, expanded);
          shown.push(expanded === undefined ? key : `${key}=${expanded}`);
        }
        return this.metadataStep(state, state.config, `ARG ${shown.join(' ')}`);
      }
      default: {
        if (!isMetadata(ins)) throw invalid(`unsupported instruction ${(ins as Instruction).kind}`);
        const next: MetadataState = { config: structuredClone(state.config), author: state.author, cmdSet: state.cmdSet };
        const comment = applyMetadata(next, ins, { lex: this.lex, env: this.env(state) });
        state.author = next.author;
        state.cmdSet = next.cmdSet;
        return this.metadataStep(state, next.config, comment);
      }
    }
  }

  /**
   * --label values, as dockerd 20.10's buildLabelOptions adds them to the final stage: one
   * LABEL step per label, in Go's byte order of the keys, shown and recorded as "LABEL k=v".
   */
  private async applyBuildLabels(state: StageState): Promise<void> {
    const pairs = Object.entries(this.request.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of pairs) {
      this.announce(`LABEL ${key}=${value}`);
      const config = structuredClone(state.config);
      config.Labels = { ...(config.Labels ?? {}), [key]: value };
      await this.metadataStep(state, config, `LABEL ${key}=${value}`);
    }
  }

  private stepConfigWithComment(config: ContainerConfig, comment: string): ContainerConfig {
    return { ...config, Cmd: [...shellOf(config), '#(nop) ', comment] };
  }

  /** Looks the step up in the cache; on a hit the stage moves on to the cached image. */
  private async fromCache(state: StageState, stepConfig: ContainerConfig): Promise<boolean> {
    if (this.request.noCache) return false;
    const hit = await this.cache.find(state.imageId, stepConfig);
    if (!hit) return false;
    // Two messages, as dockerd writes them.
    this.output.stream(` ---> Using cache\n`);
    this.output.stream(` ---> ${shortId(hit)}\n`);
    state.imageId = hit;
    return true;
  }

  private done(state: StageState, id: Digest): void {
    state.imageId = id;
    this.output.stream(` ---> ${shortId(id)}\n`);
  }

  private async metadataStep(state: StageState, config: ContainerConfig, comment: string): Promise<void> {
    const stepConfig = this.stepConfigWithComment(config, comment);
    state.config = config;
    if (await this.fromCache(state, stepConfig)) return;
    this.done(state, await this.runner.commit({ parent: state.imageId, config, stepConfig, author: state.author, layer: null }));
  }

  private async runStep(state: StageState, ins: RunInstruction): Promise<void> {
    const { config } = state;
    const command = commandArgs(ins, config);
    const stepConfig: ContainerConfig = { ...config, Cmd: [...this.args.cachePrefix(config.Env ?? []), ...command], Entrypoint: null };
    if (await this.fromCache(state, stepConfig)) return;
    const env = this.args.allowed(config.Env ?? []).reduce((list, [k, v]) => setEnv(list, k, v), [...(config.Env ?? [])]);
    const runConfig: ContainerConfig = { ...config, Cmd: command, Entrypoint: [''], Env: env, Healthcheck: NO_HEALTHCHECK, AttachStdout: true, AttachStderr: true };
    const container = { config: runConfig, hostConfig: this.runner.runHostConfig() };
    const id = await this.runner.withContainer(state.imageId, container, (cid) => this.runner.runToCompletion(cid, command), {
      config,
      stepConfig,
      author: state.author,
    }, 'run');
    this.done(state, id);
  }

  private async copyStep(state: StageState, ins: CopyInstruction): Promise<void> {
    const env = this.env(state);
    const word = (w: string) => this.lex.processWord(w, env);
    const from = ins.from === undefined ? undefined : word(ins.from);
    const source: CopyRoot = from === undefined ? { root: this.context.dir, hidden: this.context.hidden, memo: this.context.memo, release: async () => undefined } : await this.mountSource(from);
    try {
      const prepared = await prepareCopy(
        {
          kind: ins.kind,
          sources: ins.sources.map(word),
          dest: this.copyDestination(state.config, word(ins.dest)),
          chown: ins.chown === undefined ? undefined : normaliseChown(word(ins.chown)),
          chmod: ins.chmod === undefined ? undefined : parseChmod(word(ins.chmod)),
          fromNote: from === undefined ? undefined : `--from=${from}`,
        },
        source,
        (url) => downloadSource(url, this.scratchDir, this.signal),
      );
      await this.filesystemStep(state, prepared.comment, (cid) => prepared.apply(this.deps.containers, cid));
    } finally {
      await source.release();
    }
  }

  /** Relative destinations start at WORKDIR; a trailing slash (or "/.") means a directory and is kept. */
  private copyDestination(config: ContainerConfig, dest: string): string {
    const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
    const absolute = dest.startsWith('/') ? posix.normalize(dest) : workdirOf(config, dest);
    const clean = absolute.length > 1 ? absolute.replace(/\/+$/, '').replace(/\/\.$/, '') : absolute;
    return isDir && clean !== '/' ? `${clean}/` : clean;
  }

  private async workdirStep(state: StageState, path: string): Promise<void> {
    const config = structuredClone(state.config);
    config.WorkingDir = workdirOf(config, path);
    state.config = config;
    const dir = config.WorkingDir.slice(1);
    await this.filesystemStep(state, `WORKDIR ${config.WorkingDir}`, async (cid) => {
      if (!dir) return;
      const exists = await this.deps.containers.archiveStat(cid, `/${dir}/`).then((s) => (s.mode & 0x80000000) !== 0, () => false);
      if (!exists) await this.deps.containers.archivePut(cid, '/', directoryTar(dir), { noOverwriteDirNonDir: false, copyUIDGID: false, chown: '0:0' });
    });
  }

  /** A step that writes into a (never started) build container and commits what changed. */
  private async filesystemStep(state: StageState, comment: string, write: (containerId: string) => Promise<void>): Promise<void> {
    const stepConfig = this.stepConfigWithComment(state.config, comment);
    if (await this.fromCache(state, stepConfig)) return;
    const runConfig: ContainerConfig = { ...state.config, Cmd: stepConfig.Cmd, Entrypoint: [''], Healthcheck: NO_HEALTHCHECK };
    const container = { config: runConfig, hostConfig: { NetworkMode: 'none' }, withoutImageVolumes: true };
    this.done(state, await this.runner.withContainer(state.imageId, container, write, { config: state.config, stepConfig, author: state.author }, 'files'));
  }

  /** COPY --from: another stage's result or an image, mounted for reading. */
  private async mountSource(from: string): Promise<CopyRoot> {
    const stage = stageIndex(this.dockerfile, from, this.dockerfile.stages.length);
    const imageId = stage !== undefined ? this.stageImages.get(stage) : undefined;
    if (stage !== undefined && imageId === undefined) throw invalid(`COPY --from=${from}: stage ${from} has not been built yet`);
    const image = imageId ? await this.deps.images.resolve(imageId) : await this.localImage(from).catch((err: unknown) => {
      throw inContext(`invalid from flag value ${from}`, err);
    });
    return mountImage(this.deps.layers, image, this.scratchDir);
  }

  /** The --cache-from images that are here; null without --cache-from. */
  private async cacheSources(): Promise<Image[] | null> {
    if (this.request.cacheFrom.length === 0) return null;
    const found: Image[] = [];
    for (const name of this.request.cacheFrom) {
      // As Docker: a --cache-from image that is not here is skipped, not an error.
      const image = await this.deps.images.resolve(name).catch(() => undefined);
      if (image) found.push(image);
    }
    return found;
  }

  /** A step found in a --cache-from image becomes a local image: the parent plus that image's layer for the step. */
  private async restoreFromSource(parent: Digest | null, source: Image, index: number): Promise<Digest> {
    const history = source.config.history ?? [];
    const entry = history[index]!;
    const layerIndex = history.slice(0, index).filter((h) => !h.empty_layer).length;
    // The layer's exact tar, so the step's diff ID (and the image ID) is the source's.
    const layer = entry.empty_layer ? null : (await this.deps.images.layerTar(source.layers[layerIndex]!.chainId, source.config.rootfs.diff_ids[layerIndex]!)).stream;
    const stepConfig = { ...(source.config.config ?? {}), Cmd: (entry.created_by ?? '').split(' ') };
    return this.runner.commit({ parent, config: source.config.config ?? {}, stepConfig, author: source.config.author ?? '', layer });
  }
}

function checkPlatform(platform: string | undefined): void {
  if (!platform) return;
  let wanted: ReturnType<typeof parsePlatform>;
  try {
    wanted = parsePlatform(platform);
  } catch (err) {
    throw inContext(`failed to parse platform ${platform}`, err);
  }
  const host = hostPlatform();
  if (wanted.os !== host.os || wanted.architecture !== host.architecture) {
    throw invalid(`platform ${platform} is not supported: berth builds ${host.os}/${host.architecture} images only`);
  }
}

/** --chown=user means user:user, as Docker (a name is looked up as a group too). */
function normaliseChown(chown: string): string {
  if (chown === '') throw invalid('--chown requires a user');
  return chown.includes(':') ? chown : `${chown}:${chown}`;
}

function parseChmod(chmod: string): number {
  if (!/^[0-7]{3,4}$/.test(chmod)) throw invalid(`invalid chmod parameter: ${chmod}: use octal permissions such as 755`);
  return parseInt(chmod, 8);
}
