import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Digest } from '../../lib/digest.js';
import { EngineError } from '../../lib/errors.js';
import type { ContainerService, HostConfig } from '../containers/types.js';
import type { ContainerConfig, ImageService } from '../images/types.js';
import type { BuildOutput, BuildRequest } from './types.js';

/**
 * What a step does with the rest of the engine: commit images, and run
 * containers for the steps that need a filesystem (RUN, COPY, ADD, WORKDIR).
 * RUN steps' containers are removed or kept as dockerd's classic builder
 * does (see withContainer).
 */

/** A RUN that exited non-zero: the API reports the exit code as the error's code, as Docker. */
export class StepFailed extends EngineError {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super('invalid', message);
  }
}

export interface StepDeps {
  images: ImageService;
  containers: ContainerService;
}

export interface CommitInput {
  parent: Digest | null;
  config: ContainerConfig;
  stepConfig: ContainerConfig;
  author: string;
  layer: Readable | null;
  containerId?: string;
}

/** dockerd's stderr writer: every piece of a step's stderr in bright red, one message each. */
export const red = (text: string) => `\x1b[91m${text}\x1b[0m`;
const plain = (text: string) => text;

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class StepRunner {
  constructor(
    private readonly deps: StepDeps,
    private readonly request: BuildRequest,
    private readonly output: BuildOutput,
    private readonly signal: AbortSignal,
  ) {}

  async commit(input: CommitInput): Promise<Digest> {
    return this.deps.images.commit({
      parent: input.parent,
      layerTar: input.layer,
      config: input.config,
      containerConfig: input.stepConfig,
      changes: [],
      author: input.author,
      containerId: input.containerId,
      createdBy: (input.stepConfig.Cmd ?? []).join(' '),
    });
  }

  /**
   * Runs `fn` with a container made from `image` (not started unless fn
   * starts it), then commits its changes with `config`. A RUN step's
   * container (`kind` 'run') is kept or removed as the classic builder does
   * it after each step: removed with --force-rm whatever happened, with --rm
   * only after success (a failed step's container stays for inspection), and
   * always on cancel. Other steps' containers are berth's own means of
   * writing files (dockerd uses a bare layer there) and never outlive them.
   */
  async withContainer(
    image: Digest,
    container: { config: ContainerConfig; hostConfig: HostConfig; withoutImageVolumes?: boolean },
    fn: (id: string) => Promise<void>,
    commit: Omit<CommitInput, 'layer' | 'containerId' | 'parent'>,
    kind: 'run' | 'files',
  ): Promise<Digest> {
    const { containers } = this.deps;
    const { Id: id } = await containers.create({
      name: `berth-build-${randomBytes(6).toString('hex')}`,
      config: { ...container.config, Image: image },
      hostConfig: container.hostConfig,
      withoutImageVolumes: container.withoutImageVolumes,
    });
    let ok = false;
    try {
      await fn(id);
      const result = await this.commit({ ...commit, parent: image, layer: await containers.exportChanges(id), containerId: id });
      ok = true;
      return result;
    } finally {
      await this.cleanUp(id, kind === 'run' ? this.runRemoval(ok) : 'quietly');
    }
  }

  private runRemoval(ok: boolean): 'keep' | 'quietly' | 'tell' {
    if (this.signal.aborted) return 'quietly';
    return this.request.forceRemove || (ok && this.request.remove) ? 'tell' : 'keep';
  }

  private async cleanUp(id: string, how: 'keep' | 'quietly' | 'tell'): Promise<void> {
    if (how === 'keep') return;
    try {
      await this.deps.containers.remove(id, { force: true, volumes: true, link: false });
      if (how === 'tell') this.output.stream(`Removing intermediate container ${shortId(id)}\n`);
    } catch (err) {
      if (how === 'tell') this.output.stream(`Error removing intermediate container ${shortId(id)}: ${(err as Error).message}\n`);
    }
  }

  /** Starts the container, streams its output to the client, and fails the build on a non-zero exit. */
  async runToCompletion(id: string, shownCommand: string[]): Promise<void> {
    const { containers } = this.deps;
    this.output.stream(` ---> Running in ${shortId(id)}\n`);
    const streams = await containers.attach(id, { stdin: false, stdout: true, stderr: true, logs: false, stream: true });
    const copied = Promise.all([this.pump(streams.stdout, plain), this.pump(streams.stderr, red)]);
    const exited = containers.wait(id, 'next-exit');
    const onAbort = () => void containers.kill(id, 'SIGKILL').catch(() => undefined);
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // A client gone while the step's container was being made: an aborted signal fires no listener added later.
      if (this.signal.aborted) throw new EngineError('unavailable', 'the build was cancelled');
      await containers.start(id);
      // Aborted while it was starting: the kill then found nothing to kill.
      if (this.signal.aborted) onAbort();
      const { StatusCode: code } = await exited;
      await copied;
      if (this.signal.aborted) throw new EngineError('unavailable', 'the build was cancelled');
      if (code !== 0) throw new StepFailed(`The command '${shownCommand.join(' ')}' returned a non-zero code: ${code}`, code);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
      streams.close();
    }
  }

  private async pump(stream: Readable | null, format: (text: string) => string): Promise<void> {
    if (!stream) return;
    const decoder = new StringDecoder('utf8'); // a character may be split between chunks
    const send = (text: string) => {
      if (text) this.output.stream(format(text));
    };
    for await (const chunk of stream) {
      send(decoder.write(chunk as Buffer));
      // Not pulling the next chunk pauses the attach stream, and so the process.
      await this.output.drained();
    }
    send(decoder.end());
  }

  /** The HostConfig of a RUN step: the build's network, extra hosts and resource limits. */
  runHostConfig(): HostConfig {
    const r = this.request.resources;
    const host: HostConfig = {
      NetworkMode: this.request.networkMode || 'default',
      ExtraHosts: this.request.extraHosts.length > 0 ? this.request.extraHosts : null,
    };
    if (r.memory) host.Memory = r.memory;
    if (r.memorySwap) host.MemorySwap = r.memorySwap;
    if (r.cpuShares) host.CpuShares = r.cpuShares;
    if (r.cpusetCpus) host.CpusetCpus = r.cpusetCpus;
    if (r.cpusetMems) host.CpusetMems = r.cpusetMems;
    if (r.cpuPeriod) host.CpuPeriod = r.cpuPeriod;
    if (r.cpuQuota) host.CpuQuota = r.cpuQuota;
    if (r.shmSize) host.ShmSize = r.shmSize;
    if (r.ulimits && r.ulimits.length > 0) host.Ulimits = r.ulimits;
    return host;
  }
}
