import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { conflict, EngineError, invalid, isEngineError, notFound } from '../../lib/errors.js';
import { cgroupPids, controllerDir, onlineCpus, readStats, removeCgroup, systemCpuNs } from '../../platform/linux/cgroups.js';
import { cgroupVersion } from '../../platform/linux/host.js';
import { netDevCounters } from '../../platform/linux/net-dev.js';
import { sealedCopy } from '../../platform/linux/sys.js';
import { connectAttach, endedAttach, processGone } from './attach.js';
import { writeCtl } from './ctl.js';
import { isConmonFor, readPid, sleep, stopMonitor } from './monitor.js';
import { normaliseSignal, signalNumberOf } from '../../lib/signals.js';
import { runtimeFailure, startConmon } from './conmon.js';
import { openExecPipes, type ExecPipes } from './exec-pipes.js';
import { hostDevices, mappedDevices, type OciDevice } from './devices.js';
import { readExitFile, waitExitFile } from './exit.js';
import { Layout, SAFE_ID } from './layout.js';
import { readLog } from './log.js';
import { buildOciConfig, ociProcess, ociResources, type OciConfig } from './oci-spec.js';
import { ownHardLimits } from './rlimits.js';
import { Runc } from './runc.js';
import { Throttle } from './throttle.js';
import { phase } from '../../lib/phases.js';
import { loadDefaultProfile } from './seccomp.js';
import type {
  AttachStreams, Created, CreateIO, ExecIO, ExecSession, ExitStatus, LogEntry, LogReadOptions, RecoveredContainer,
  Resources, Runtime, RuntimeProcess, RuntimeSpec, RuntimeState, RuntimeStats, TerminalSize,
} from './types.js';

/** How long a failed exec's stderr pipe is read for runc's message (it ends as soon as runc and conmon are gone). */
const EXEC_FAILURE_READ_MS = 2000;

export interface ConmonRuncOptions {
  /** The exec root for bundles and runc state, e.g. /run/berth/runtime. Keep it short-ish. */
  root: string;
  runc?: string;
  conmon?: string;
}

/** The Runtime over conmon + runc (see types.ts for the contract and the on-disk layout). */
export class ConmonRuncRuntime implements Runtime {
  private readonly layout: Layout;
  private readonly runc: Runc;
  private readonly conmon: string;
  /** `runc create`s at once: twice the cores (see throttle.ts); a slot is held 5 s at most. */
  private readonly creating = new Throttle(Math.max(2, 2 * availableParallelism()), 5_000);
  private cgroupV2: Promise<boolean> | undefined;
  /** The exec root exists (made once, not on every create). */
  private rootMade = false;
  /** What conmon runs as runc (runtimePath). */
  private runtimeFile: string | undefined;
  /** Each bundle's linux.cgroupsPath, known since its create: the exit path need not read and parse config.json again. */
  private readonly cgroupPaths = new Map<string, string>();

  constructor(o: ConmonRuncOptions) {
    this.layout = new Layout(o.root);
    this.runc = new Runc(o.runc ?? '/usr/sbin/runc', this.layout.runcRoot);
    this.conmon = o.conmon ?? '/usr/bin/conmon';
  }

  private isV2(): Promise<boolean> {
    this.cgroupV2 ??= cgroupVersion().then((v) => v === '2');
    return this.cgroupV2;
  }

  async create(spec: RuntimeSpec, io: CreateIO): Promise<Created> {
    checkId(spec.id);
    if (io.tty !== spec.process.terminal) throw invalid('io.tty and process.terminal must agree');
    const bundle = this.layout.bundle(spec.id);
    const config = await this.ociConfig(spec);
    phase(spec.id, 'runtime:oci-config');
    if (!this.rootMade) await mkdir(this.layout.root, { recursive: true });
    this.rootMade = true;
    try {
      await mkdir(bundle);
    } catch (err) {
      throw conflict(`a bundle for container ${spec.id} already exists`, err);
    }
    try {
      // The bundle lives on /run (tmpfs, gone at reboot with the containers): no fsync needed.
      await Promise.all([mkdir(this.layout.exitDir(spec.id)), writeFile(this.layout.configJson(spec.id), JSON.stringify(config))]);
      this.cgroupPaths.set(spec.id, config.linux.cgroupsPath);
      phase(spec.id, 'runtime:bundle-written');
      const { pid, conmonPid } = await this.creating.run(async () => {
        phase(spec.id, 'runtime:create-turn');
        const conmon = startConmon({ binary: this.conmon, args: this.createArgs(spec.id, io), cwd: bundle, verb: 'create' });
        // The monitor's pid file is there once the process we spawned is gone, long before runc is done: read it meanwhile.
        const monitorPid = conmon.exited.then(() => this.conmonPid(spec.id));
        monitorPid.catch(() => undefined);
        try {
          return { pid: await conmon.pid, conmonPid: await monitorPid };
        } finally {
          conmon.release();
        }
      });
      phase(spec.id, 'runtime:conmon-runc-created');
      return { pid, conmonPid };
    } catch (err) {
      await this.delete(spec.id, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async ociConfig(spec: RuntimeSpec): Promise<OciConfig> {
    const [cgroupV2, hardLimits, defaultSeccomp, mapped, devices] = await Promise.all([
      this.isV2(),
      ownHardLimits(),
      spec.seccomp === 'default' && !spec.privileged ? loadDefaultProfile() : Promise.resolve({ defaultAction: 'SCMP_ACT_ALLOW' }),
      mappedDevices(spec.devices),
      spec.privileged ? hostDevices() : Promise.resolve([] as OciDevice[]),
    ]);
    return buildOciConfig(spec, {
      cgroupV2,
      hardLimits,
      defaultSeccomp: defaultSeccomp as unknown as Record<string, unknown>,
      mappedDevices: mapped,
      hostDevices: devices,
    });
  }

  /** Arguments shared by container and exec monitors. */
  private conmonArgs(cid: string, cuuid: string, bundle: string): string[] {
    return [
      '--api-version', '1',
      '--cid', cid,
      '--cuuid', cuuid,
      '--name', cid,
      '--runtime', this.runtimePath(),
      ...this.runc.globalArgs.flatMap((a) => ['--runtime-arg', a]),
      '--bundle', bundle,
      '--container-pidfile', join(bundle, 'pidfile'),
      '--conmon-pidfile', join(bundle, 'conmon.pid'),
      '--exit-dir', join(bundle, 'exit'),
      // The attach socket stays in the bundle; we connect through /proc/self/fd, so its length does not matter.
      '--full-attach',
      '--socket-dir-path', bundle,
    ];
  }

  /**
   * The runc conmon runs: a sealed in-memory copy of the binary, made once. Every `runc init` otherwise
   * copies runc (8 MB) into a sealed memfd and re-executes itself from it (its CVE-2019-5736 defence),
   * which it skips when it already runs from one: one copy and one exec fewer on each create and exec.
   * The copy is as immutable as runc's own. Where it cannot be made, conmon runs the binary itself.
   */
  private runtimePath(): string {
    if (this.runtimeFile === undefined) {
      try {
        this.runtimeFile = `/proc/${process.pid}/fd/${sealedCopy(this.runc.binary)}`;
      } catch {
        this.runtimeFile = this.runc.binary;
      }
    }
    return this.runtimeFile;
  }

  private createArgs(id: string, io: CreateIO): string[] {
    const args = [...this.conmonArgs(id, id, this.layout.bundle(id)), '--log-path', io.logPath === null ? 'none:' : `k8s-file:${io.logPath}`];
    if (io.logSizeMax && io.logSizeMax > 0) args.push('--log-size-max', String(io.logSizeMax));
    if (io.tty) args.push('--terminal');
    if (io.openStdin) args.push('--stdin');
    if (io.openStdin && !io.stdinOnce) args.push('--leave-stdin-open');
    return args;
  }

  async start(id: string): Promise<void> {
    await this.runc.start(checkId(id));
  }

  async kill(id: string, signal: string | number, opts: { all?: boolean } = {}): Promise<void> {
    const sig = normaliseSignal(signal);
    if (!opts.all && (await this.signalInit(checkId(id), sig))) return;
    await this.runc.kill(checkId(id), sig, opts.all ?? false);
  }

  /**
   * What `runc kill` without --all does (signal the container's init), without
   * spawning runc (40-100 ms on a busy host; every stop pays it). Only when
   * conmon's pidfile names a live process that /proc shows in this container's
   * cgroup (so never a reused pid); otherwise runc does it, with its errors.
   */
  private async signalInit(id: string, signal: string): Promise<boolean> {
    const number = signalNumberOf(signal);
    const pid = number === null ? null : await readPid(this.layout.pidFile(id));
    if (pid === null) return false;
    const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
    if (!cgroups.split('\n').some((line) => line.endsWith(`/${id}`))) return false;
    try {
      process.kill(pid, number!);
      return true;
    } catch {
      return false;
    }
  }

  async pause(id: string): Promise<void> {
    await this.runc.pause(checkId(id));
  }

  async resume(id: string): Promise<void> {
    await this.runc.resume(checkId(id));
  }

  async state(id: string): Promise<RuntimeState> {
    return this.runc.state(checkId(id));
  }

  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    checkId(id);
    // Nothing left of this container (the usual case before a start, or after an earlier delete):
    // skip spawning runc, which costs tens of milliseconds.
    const known = this.cgroupPaths.get(id);
    this.cgroupPaths.delete(id); // read from config.json again should this delete fail half way
    if (!(await pathExists(this.layout.bundle(id))) && !(await pathExists(join(this.layout.runcRoot, id)))) return;
    const cgroupsPath = known ?? (await this.cgroupsPath(id).catch(() => null));
    if (!(await this.forgetStopped(id, cgroupsPath))) {
      try {
        await this.runc.delete(id, opts.force ?? false);
      } catch (err) {
        if (!isEngineError(err, 'notFound')) throw err;
      }
    }
    phase(id, 'runtime:runc-deleted');
    // The cgroup (empty by now: runc or forgetStopped saw to it) goes while the monitors finish; the bundle,
    // where conmon writes until it exits, after them.
    await Promise.all([
      stopMonitor(this.layout.conmonPidFile(id), id).then(() => this.stopExecMonitors(id)).then(() => phase(id, 'runtime:conmon-gone')),
      cgroupsPath ? this.isV2().then((v2) => removeCgroup(cgroupsPath, v2)) : undefined,
    ]);
    await rm(this.layout.bundle(id), { recursive: true, force: true });
  }

  /**
   * What `runc delete` does for a container whose processes are all gone,
   * without spawning runc (40-150 ms here, most of the exit path): remove
   * runc's state dir; the cgroup goes right after, as for every delete. Only
   * when conmon recorded the exit and the cgroup is empty (we set no poststop
   * hooks); anything else, e.g. a process left in a --pid=host container,
   * goes to runc, which kills what is left.
   */
  private async forgetStopped(id: string, cgroupsPath: string | null): Promise<boolean> {
    if (!cgroupsPath) return false;
    const v2 = await this.isV2();
    // The three looks at once (each a thread-pool round trip on the exit path).
    const [exit, present, pids] = await Promise.all([
      this.readExit(id),
      // A cgroup that is not there says nothing about the processes: let runc decide.
      pathExists(controllerDir(cgroupsPath, 'pids', v2)),
      cgroupPids(cgroupsPath, v2).catch(() => null),
    ]);
    if (!exit || !present || pids === null || pids.length > 0) return false;
    await rm(join(this.layout.runcRoot, id), { recursive: true, force: true });
    return true;
  }

  private async stopExecMonitors(id: string): Promise<void> {
    const execRoot = join(this.layout.bundle(id), 'exec');
    const sessions = await readdir(execRoot).catch(() => [] as string[]);
    await Promise.all(sessions.map((s) => stopMonitor(join(execRoot, s, 'conmon.pid'), id)));
  }

  async readExit(id: string): Promise<ExitStatus | null> {
    return readExitFile(this.layout.exitFile(checkId(id)), this.layout.oomFile(id));
  }

  async waitExit(id: string, signal?: AbortSignal): Promise<ExitStatus> {
    checkId(id);
    await this.requireBundle(id);
    return waitExitFile(this.layout.exitFile(id), {
      oomFile: this.layout.oomFile(id),
      monitorAlive: () => this.monitorAlive(this.layout.conmonPidFile(id), id),
      ...(signal ? { signal } : {}),
    });
  }

  private async monitorAlive(pidFile: string, id: string): Promise<boolean> {
    const pid = await readPid(pidFile);
    return pid !== null && (await isConmonFor(pid, id));
  }

  async exec(id: string, proc: RuntimeProcess, io: ExecIO): Promise<ExecSession> {
    checkId(id);
    const state = await this.runc.state(id);
    if (state.status !== 'running') throw conflict(`Container ${id} is not running`);
    if (io.tty !== proc.terminal) throw invalid('io.tty and process.terminal must agree');
    const execId = randomBytes(16).toString('hex');
    const dir = this.layout.execDir(id, execId);
    await mkdir(join(dir, 'exit'), { recursive: true });
    const spec = ociProcess(proc, [...proc.capabilities], { hardLimits: await ownHardLimits() });
    await writeFile(join(dir, 'process.json'), JSON.stringify(spec));
    // Attached without a tty: plain pipes from berthd to the process (see exec-pipes.ts); with a tty, conmon's attach socket.
    const pipes = !io.detach && !io.tty ? openExecPipes(io.openStdin) : null;
    try {
      const session = pipes ? await this.execOverPipes(id, dir, pipes) : await this.execThroughConmon(id, dir, io);
      return { execId, ...session };
    } catch (err) {
      pipes?.streams.close();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  private execArgs(id: string, dir: string, logPath: string): string[] {
    return [...this.conmonArgs(id, basename(dir), dir), '--exec', '--exec-process-spec', join(dir, 'process.json'), '--log-path', logPath];
  }

  /** Detached, or with a tty (conmon's attach socket: it waits for our connection before running the process, so nothing is lost). */
  private async execThroughConmon(id: string, dir: string, io: ExecIO): Promise<Omit<ExecSession, 'execId'>> {
    const args = this.execArgs(id, dir, 'none:');
    if (io.tty) args.push('--terminal');
    if (io.openStdin) args.push('--stdin');
    const attached = !io.detach;
    if (attached) args.push('--exec-attach');
    const conmon = startConmon({ binary: this.conmon, args, cwd: dir, verb: 'exec', execAttach: attached });
    let streams: AttachStreams | null = null;
    try {
      if (attached) {
        await conmon.attachReady;
        streams = await connectAttach(join(dir, 'attach'));
        if (io.tty && io.size) await writeCtl(join(dir, 'ctl'), io.size);
        conmon.start();
      }
      const pid = await conmon.pid;
      return { pid, streams, exit: this.execExit(id, dir), resize: (size) => writeCtl(join(dir, 'ctl'), size) };
    } catch (err) {
      streams?.close();
      throw err;
    } finally {
      conmon.release();
    }
  }

  /** conmon --log-path passthrough hands our pipes to runc and the process; runc's own error, if any, lands on the stderr pipe. */
  private async execOverPipes(id: string, dir: string, pipes: ExecPipes): Promise<Omit<ExecSession, 'execId'>> {
    let conmon;
    try {
      conmon = startConmon({ binary: this.conmon, args: this.execArgs(id, dir, 'passthrough'), cwd: dir, verb: 'exec', stdio: pipes.childStdio });
    } finally {
      pipes.closeChildEnds();
    }
    try {
      const pid = await conmon.pid.catch(async (err: unknown) => {
        // No pid reported: runc failed, and only runc wrote to the pipe (the process never ran).
        const text = await Promise.race([pipes.stderrText(), sleep(EXEC_FAILURE_READ_MS).then(() => '')]);
        throw text.trim() ? new EngineError('internal', runtimeFailure('exec', text)) : err;
      });
      const exit = this.execExit(id, dir);
      pipes.endAfter(exit);
      // Not a tty: nothing to resize (dockerd ignores it too).
      return { pid, streams: pipes.streams, exit, resize: async () => undefined };
    } finally {
      conmon.release();
    }
  }

  /** The exec's exit code; its session files go once it is known, so exec dirs do not pile up in long-lived containers. */
  private execExit(id: string, dir: string): Promise<number> {
    const exit = waitExitFile(join(dir, 'exit', id), { monitorAlive: () => this.monitorAlive(join(dir, 'conmon.pid'), id) }).then(
      (s) => s.exitCode,
    );
    exit.then(() => rm(dir, { recursive: true, force: true })).catch(() => undefined);
    return exit;
  }

  async attach(id: string): Promise<AttachStreams> {
    checkId(id);
    await this.requireBundle(id);
    try {
      return await connectAttach(this.layout.attachSocket(id));
    } catch (err) {
      // conmon takes its socket away once the process has exited: an attachment then (a client racing a
      // quick process, as dockerpty attaches after start) just ends, as dockerd's does, instead of failing.
      if (processGone(err)) return endedAttach();
      throw err;
    }
  }

  async resize(id: string, size: TerminalSize): Promise<void> {
    checkId(id);
    await this.requireBundle(id);
    await writeCtl(this.layout.ctlFifo(id), size);
  }

  async update(id: string, resources: Resources): Promise<void> {
    await this.runc.update(checkId(id), ociResources(resources));
  }

  async stats(id: string): Promise<RuntimeStats> {
    checkId(id);
    const path = await this.cgroupsPath(id);
    const pid = await readPid(this.layout.pidFile(id));
    const [cg, systemNs, networks] = await Promise.all([readStats(path, await this.isV2()), systemCpuNs(), pid ? netDevCounters(pid) : {}]);
    return {
      read: new Date(),
      cpu: { ...cg.cpu, systemCpuNs: systemNs, onlineCpus: onlineCpus() },
      memory: cg.memory,
      blkio: cg.blkio,
      pids: cg.pids,
      networks,
    };
  }

  async processes(id: string): Promise<number[]> {
    checkId(id);
    return cgroupPids(await this.cgroupsPath(id), await this.isV2());
  }

  private async cgroupsPath(id: string): Promise<string> {
    const known = this.cgroupPaths.get(id);
    if (known !== undefined) return known;
    const text = await readFile(this.layout.configJson(id), 'utf8').catch((err) => {
      throw notFound(`No such container: ${id}`, err);
    });
    return (JSON.parse(text) as OciConfig).linux.cgroupsPath;
  }

  async recover(): Promise<RecoveredContainer[]> {
    const names = await readdir(this.layout.root).catch(() => [] as string[]);
    const out: RecoveredContainer[] = [];
    for (const id of names) {
      if (id === 'runc' || !SAFE_ID.test(id)) continue;
      const hasConfig = await stat(this.layout.configJson(id)).then(() => true, () => false);
      if (!hasConfig) continue;
      const conmonPid = await readPid(this.layout.conmonPidFile(id));
      const [conmonAlive, state, exit] = await Promise.all([
        conmonPid === null ? false : isConmonFor(conmonPid, id),
        this.runc.state(id).catch(() => null),
        this.readExit(id),
      ]);
      out.push({ id, bundle: this.layout.bundle(id), conmonPid, conmonAlive, state, exit });
    }
    return out;
  }

  readLog(path: string, opts?: LogReadOptions): AsyncIterable<LogEntry> {
    return readLog(path, opts);
  }

  /** conmon's first process writes its pidfile just before exiting, long before runc create is done; still, allow for a slow disk. */
  private async conmonPid(id: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const pid = await readPid(this.layout.conmonPidFile(id));
      if (pid) return pid;
      await sleep(10);
    }
    throw new EngineError('internal', `conmon did not write ${this.layout.conmonPidFile(id)}`);
  }

  private async requireBundle(id: string): Promise<void> {
    const ok = await stat(this.layout.bundle(id)).then(() => true, () => false);
    if (!ok) throw notFound(`No such container: ${id}`);
  }
}

function checkId(id: string): string {
  if (!SAFE_ID.test(id)) throw invalid(`invalid container ID: ${JSON.stringify(id)}`);
  return id;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
