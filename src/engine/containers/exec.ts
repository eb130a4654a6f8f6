import { randomId } from '../../lib/digest.js';
import { conflict, invalid, notFound } from '../../lib/errors.js';
import type { ExecSession, Runtime, RuntimeProcess } from '../runtime/types.js';
import { liveStreams } from './attachers.js';
import { capabilities } from './runtime-spec.js';
import { daemonEnv, replaceOrAppendEnv } from './merge.js';
import { startFailure } from './start-failure.js';
import { resolveUser } from './user.js';
import { DEFAULT_PATH, type Container, type ExecConfig, type ExecRecord, type ExecStart } from './types.js';

/**
 * Exec sessions, kept in memory as Docker keeps them: created by
 * /containers/{id}/exec, run by /exec/{id}/start, inspected until the
 * container goes away.
 */
export class ExecManager {
  private readonly records = new Map<string, ExecRecord>();
  private readonly sessions = new Map<string, ExecSession>();

  constructor(private readonly runtime: Runtime, private readonly rootfsOf: (id: string) => string) {}

  create(container: Container, config: ExecConfig): string {
    if (!container.state.Running) throw conflict(`Container ${container.id} is not running`);
    if (container.state.Paused) throw conflict(`Container ${container.id} is paused, unpause the container before exec`);
    if (!Array.isArray(config.Cmd) || config.Cmd.length === 0) throw invalid('No exec command specified');
    const id = randomId();
    this.records.set(id, { id, containerId: container.id, config, running: false, exitCode: null, pid: 0 });
    return id;
  }

  get(execId: string): ExecRecord {
    const record = this.records.get(execId);
    if (!record) throw notFound(`No such exec instance: ${execId}`);
    return record;
  }

  async start(container: Container, execId: string, options: { detach: boolean; consoleSize?: [number, number] }): Promise<ExecStart> {
    const record = this.get(execId);
    if (record.running || record.exitCode !== null) throw conflict(`Error: Exec command ${execId} has already run`);
    if (!container.state.Running) throw conflict(`Container ${container.id} is not running`);
    const size = options.consoleSize ?? record.config.ConsoleSize ?? undefined;
    let process: RuntimeProcess;
    let session: ExecSession;
    try {
      process = await this.processOf(container, record.config);
      session = await this.runtime.exec(container.id, process, {
        tty: process.terminal,
        openStdin: !!record.config.AttachStdin && !options.detach,
        detach: options.detach,
        size: size ? { height: size[0], width: size[1] } : undefined,
      });
    } catch (err) {
      // As dockerd 20.10: an exec whose process could not be started has run, with exit code 126
      // (missing binary or user included); a missing or unrunnable binary is the caller's fault (400).
      this.finish(record, 126);
      throw startFailure(err).error;
    }
    record.running = true;
    record.pid = session.pid;
    this.sessions.set(execId, session);
    record.exited = session.exit.then(
      (code) => this.finish(record, code),
      () => this.finish(record, 126),
    );
    const streams = session.streams
      ? liveStreams(session.streams, {
        stdin: !!record.config.AttachStdin,
        stdout: record.config.AttachStdout !== false,
        stderr: record.config.AttachStderr !== false && !process.terminal,
        logs: false,
        stream: true,
      })
      : null;
    if (streams) streams.abandon = () => killAbandoned(record);
    return { streams, exit: record.exited };
  }

  async resize(execId: string, height: number, width: number): Promise<void> {
    const session = this.sessions.get(execId);
    if (!session) throw notFound(`No such exec instance: ${execId}`);
    await session.resize({ height, width });
  }

  /** Forgets one finished session (health probes are not kept, as in Docker). */
  forgetOne(execId: string): void {
    this.records.delete(execId);
    this.sessions.delete(execId);
  }

  /** Forgets a removed container's sessions. */
  forget(containerId: string): void {
    for (const [id, record] of this.records) {
      if (record.containerId === containerId) {
        this.records.delete(id);
        this.sessions.delete(id);
      }
    }
  }

  private finish(record: ExecRecord, code: number): number {
    record.running = false;
    record.exitCode = code;
    this.sessions.delete(record.id);
    return code;
  }

  private async processOf(container: Container, config: ExecConfig): Promise<RuntimeProcess> {
    const rootfs = this.rootfsOf(container.id);
    const { user, home } = await resolveUser(rootfs, config.User || container.config.User || '', container.hostConfig.GroupAdd ?? []);
    // As dockerd: the container's environment (HOSTNAME, TERM for a tty exec), the exec's over it; a bare "KEY" unsets.
    const env = replaceOrAppendEnv(daemonEnv(container.config, !!config.Tty), config.Env ?? []);
    if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${home || '/'}`);
    if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
    const hostConfig = config.Privileged ? { ...container.hostConfig, Privileged: true } : container.hostConfig;
    return {
      args: config.Cmd,
      env,
      cwd: config.WorkingDir || container.config.WorkingDir || '/',
      user,
      terminal: !!config.Tty,
      noNewPrivileges: (container.hostConfig.SecurityOpt ?? []).some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o)),
      capabilities: capabilities(hostConfig),
      rlimits: (container.hostConfig.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    };
  }
}

/**
 * An attached exec whose client went away is killed, as dockerd does when the
 * start request's context ends: nobody can read its output or stop it
 * otherwise. Only while its exit is unknown, so the pid is still its own.
 */
function killAbandoned(record: ExecRecord): void {
  if (!record.running || record.pid <= 0) return;
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    // ESRCH: it ended meanwhile
  }
}
