import { ExecManager } from './exec.js';
import type { ExitStatus } from '../runtime/types.js';
import { longDelay } from '../../lib/timers.js';
import type { ContainerContext } from './context.js';
import { HealthMonitor, probeArgs } from './health.js';
import { LogKeeper, logLimits } from './logging.js';
import { decideRestart } from './restart-policy.js';
import { unmountShareableShm } from './shm.js';
import { markExited } from './state.js';
import { phase } from '../../lib/phases.js';
import type { Container } from './types.js';

/** What a running container has in this berthd process (none of it survives a restart; recovery rebuilds it). */
interface Live {
  exitWatch?: AbortController;
  restartTimer?: NodeJS.Timeout;
  lastDelayMs: number;
  health?: HealthMonitor;
  /** Keeps json-file's rotated log files (max-file > 1) while the container runs. */
  logKeeper?: LogKeeper;
}

/** What the monitor asks of the container lifecycle, each run under the container's lock. */
export interface MonitorHooks {
  /** Starts the container again, as its restart policy asks. */
  restart(c: Container): Promise<void>;
  /** Removes the container: --rm after its exit. */
  remove(c: Container): Promise<void>;
}

/**
 * Watches running containers: exits seen through conmon's exit files (then the
 * teardown, the restart policy and --rm), restarts with Docker's backoff,
 * health checks, and json-file's rotated logs.
 */
export class ContainerMonitor {
  private readonly live = new Map<string, Live>();
  /** Set while berthd stops: exits then are never restarted. */
  stopping = false;

  constructor(private readonly ctx: ContainerContext, private readonly execs: ExecManager, private readonly hooks: MonitorHooks) {}

  /** berthd stops: nothing is watched any more (the containers run on under conmon). */
  shutdown(): void {
    this.stopping = true;
    for (const [id] of this.live) this.stopWatching(id);
  }

  forget(id: string): void {
    this.live.delete(id);
  }

  watchExit(c: Container): void {
    const live = this.liveOf(c.id);
    live.exitWatch?.abort();
    const controller = new AbortController();
    live.exitWatch = controller;
    this.keepLogs(c, live);
    this.ctx.deps.runtime.waitExit(c.id, controller.signal).then(
      (exit) => this.onExit(c.id, exit),
      (err) => {
        if (controller.signal.aborted) return;
        void this.onExit(c.id, { exitCode: 255, exitedAt: new Date(), oomKilled: false }, `lost track of the container: ${(err as Error).message}`);
      },
    );
  }

  async onExit(id: string, exit: ExitStatus, error?: string): Promise<void> {
    phase(id, 'exit:file-written', exit.exitedAt.getTime());
    phase(id, 'exit:seen');
    let restart: { delayMs: number } | null = null;
    let autoRemove = false;
    let cleanup: Promise<void> | undefined;
    let exitTold!: () => void;
    const told = new Promise<void>((resolve) => (exitTold = resolve));
    const c = this.ctx.deps.store.get(id);
    if (!c) return;
    await this.ctx.lock(id, async () => {
      if (!c.state.Running && c.state.Status !== 'restarting') return;
      const ranForMs = Date.now() - Date.parse(c.state.StartedAt);
      const live = this.liveOf(id);
      // Decided before anything is torn down, so the state goes straight to "restarting" (never "exited" in between).
      const decision = decideRestart(c.hostConfig.RestartPolicy, {
        exitCode: exit.exitCode, manuallyStopped: c.hasBeenManuallyStopped, restartCount: c.restartCount,
        ranForMs, previousDelayMs: live.lastDelayMs, daemonStopping: this.stopping,
      });
      markExited(c.state, { ...exit, error }, decision.restart ? 'restarting' : 'exited');
      if (decision.restart) {
        c.restartCount++;
        live.lastDelayMs = decision.delayMs;
        restart = decision;
      }
      live.health?.stop();
      live.health = undefined;
      await live.logKeeper?.stop();
      live.logKeeper = undefined;
      phase(id, 'exit:locked');
      await this.ctx.deps.planner.teardown(id, c.mounts ?? []).catch((err) => this.ctx.deps.log('warn', `unmounting volumes of ${id}: ${(err as Error).message}`));
      // The network teardown (on a bridge an `ip` spawn: the veth's host end outlives the netns a moment)
      // goes beside the rootfs's and the runtime's, which do not depend on it; the lock is held for all three.
      const detached = this.ctx.deps.networks.detach(id)
        .catch((err) => this.ctx.deps.log('warn', `network teardown of ${id}: ${(err as Error).message}`))
        .then(() => phase(id, 'exit:network-detached'));
      // The rootfs's unmount also goes beside the runtime's deletion: neither needs the other.
      const released = this.ctx.rootfs.release(id).then(() => {
        unmountShareableShm(this.ctx.deps.store.dirOf(id));
        phase(id, 'exit:rootfs-released');
      });
      released.catch(() => undefined); // awaited below
      autoRemove = !decision.restart && !!c.hostConfig.AutoRemove;
      // An --rm container's record is deleted right after (or saved as dead if that fails): no write of
      // a state about to go. A berthd that dies in between finds the exit again when it recovers.
      if (!autoRemove) await this.ctx.deps.store.saveState(c);
      phase(id, 'exit:saved');
      // The runtime's state (and conmon's exit file in it) goes only once the exit is recorded: a berthd
      // killed before this point finds the exit again on recovery, one killed after finds a stale runtime
      // state that recovery deletes (recovery.ts). An --rm container's removal deletes it.
      if (autoRemove) await this.deleteRuntime(id);
      else cleanup = this.deleteRuntimeLater(c, told);
      await detached;
      await released;
    }).finally(exitTold);
    this.ctx.publish('die', c, { exitCode: String(exit.exitCode) });
    if (exit.oomKilled) this.ctx.publish('oom', c);
    this.ctx.signals.emit(`exit:${id}`, exit.exitCode);
    if (restart) this.scheduleRestart(c, (restart as { delayMs: number }).delayMs);
    if (autoRemove) {
      await this.ctx.lock(id, () => this.hooks.remove(c)).catch((err) => this.ctx.deps.log('warn', `auto-removing ${id}: ${(err as Error).message}`));
      return;
    }
    await cleanup;
  }

  /**
   * As dockerd answers a stop once the state says exited, before its cleanup: the runtime's state (runc's
   * dir, conmon, cgroup, bundle) goes after the exit is told, off the container's lock, so that an rm does
   * not wait for it. Chained while the lock is still held, so a start (a restart too) that takes the lock
   * next runs its own deletion after this one, never before; an rm chains its deletion after it as well,
   * so a record deleted meanwhile needs nothing here.
   */
  private deleteRuntimeLater(c: Container, told: Promise<void>): Promise<void> {
    return this.ctx.runtimeCleanups.after(c.id, async () => {
      // Not beside the exit's network and rootfs teardown, which a stop waits for: once the exit is told.
      await told;
      await new Promise((resolve) => setImmediate(resolve));
      if (!c.state.Running && this.ctx.deps.store.get(c.id)) await this.deleteRuntime(c.id);
    });
  }

  private async deleteRuntime(id: string): Promise<void> {
    await this.ctx.deps.runtime.delete(id, { force: true }).catch(() => undefined);
    phase(id, 'exit:runtime-deleted');
  }

  private scheduleRestart(c: Container, delayMs: number): void {
    const live = this.liveOf(c.id);
    live.restartTimer = setTimeout(() => {
      live.restartTimer = undefined;
      void this.ctx.lock(c.id, async () => {
        if (c.state.Status !== 'restarting') return;
        await this.hooks.restart(c);
      }).catch(async (err) => {
        this.ctx.deps.log('warn', `restart of ${c.id} failed: ${(err as Error).message}`);
        await this.onExit(c.id, { exitCode: c.state.ExitCode || 128, exitedAt: new Date(), oomKilled: false }, (err as Error).message).catch(() => undefined);
      });
    }, delayMs);
  }

  async cancelRestart(c: Container): Promise<void> {
    const live = this.liveOf(c.id);
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    await this.ctx.lock(c.id, async () => {
      if (c.state.Status !== 'restarting') return;
      c.hasBeenManuallyStopped = true;
      markExited(c.state, { exitCode: c.state.ExitCode, exitedAt: new Date(), oomKilled: false });
      await this.ctx.deps.store.saveState(c);
    });
  }

  startHealth(c: Container): void {
    const args = probeArgs(c.config.Healthcheck);
    if (!args || !c.state.Health) return;
    const monitor = new HealthMonitor(c.state.Health, c.config.Healthcheck!, args, (probe, timeoutMs) => this.runProbe(c, probe, timeoutMs), (status, changed) => {
      void this.ctx.deps.store.saveState(c);
      if (changed) this.ctx.publish(`health_status: ${status}`, c);
    });
    this.liveOf(c.id).health = monitor;
    monitor.start();
  }

  private async runProbe(c: Container, args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const execId = this.execs.create(c, { Cmd: args, AttachStdout: true, AttachStderr: true });
    const { streams, exit } = await this.execs.start(c, execId, { detach: false });
    let output = '';
    streams?.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    streams?.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const code = await Promise.race([exit, delay(timeoutMs).then(() => null)]);
    this.execs.forgetOne(execId);
    if (code === null) {
      streams?.close();
      return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
    }
    return { exitCode: code, output };
  }


  private liveOf(id: string): Live {
    let live = this.live.get(id);
    if (!live) {
      live = { lastDelayMs: 0 };
      this.live.set(id, live);
    }
    return live;
  }

  /** With json-file's max-file > 1, keep the files conmon replaces (see logging.ts). */
  private keepLogs(c: Container, live: Live): void {
    const { maxSize, maxFile } = logLimits(c.hostConfig);
    if (live.logKeeper || maxSize <= 0 || maxFile <= 1) return;
    live.logKeeper = new LogKeeper(c.logPath, maxFile, (message) => this.ctx.deps.log('warn', `${c.id}: ${message}`));
    live.logKeeper.start().catch((err) => this.ctx.deps.log('warn', `${c.id}: keeping rotated logs: ${(err as Error).message}`));
  }

  stopWatching(id: string): void {
    const live = this.live.get(id);
    void live?.logKeeper?.stop({ keepHeld: true });
    live?.exitWatch?.abort();
    live?.health?.stop();
    if (live?.restartTimer) clearTimeout(live.restartTimer);
  }
}

const delay = longDelay;
