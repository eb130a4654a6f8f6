import type { ContainerContext } from './context.js';
import type { ContainerMonitor } from './monitor.js';
import type { Container } from './types.js';

/** What recovery asks of the lifecycle. */
export interface RecoveryHooks {
  /** Finishes a removal that berthd's stop interrupted (under the container's lock). */
  remove(c: Container): Promise<void>;
  start(id: string): Promise<void>;
  /** Removes what a create left that never finished. */
  discard(c: Container): Promise<void>;
}

/**
 * berthd starts: volume users counted again; containers that kept running
 * under conmon are watched again; exits that happened while berthd was down
 * are picked up (and their restart policies applied); interrupted removals
 * are finished; runtime state nobody owns is deleted; creates that a crash
 * cut short (a created container without its network record, see create) are discarded.
 */
export async function recoverContainers(ctx: ContainerContext, monitor: ContainerMonitor, hooks: RecoveryHooks): Promise<void> {
  const { runtime, store, volumes, planner, networks, log } = ctx.deps;
  for (const c of store.all()) {
    if (c.state.Status === 'created' && !networks.isRegistered(c.id)) await hooks.discard(c).catch((err) => log('warn', `discarding ${c.id}: ${(err as Error).message}`));
  }
  const users = new Map<string, string[]>();
  for (const c of store.all()) {
    for (const m of c.mounts ?? []) if (m.point.Type === 'volume' && m.point.Name) users.set(m.point.Name, [...(users.get(m.point.Name) ?? []), c.id]);
  }
  volumes.setUsers(users);
  const found = new Map((await runtime.recover()).map((r) => [r.id, r]));
  for (const c of store.all()) {
    const r = found.get(c.id);
    found.delete(c.id);
    if (c.state.Status === 'removing') {
      await ctx.lock(c.id, () => hooks.remove(c)).catch((err) => log('warn', `removing ${c.id}: ${(err as Error).message}`));
      continue;
    }
    if (!c.state.Running && c.state.Status !== 'restarting' && r) {
      // Runtime state left by a berthd that died after recording the exit but before deleting it.
      await runtime.delete(c.id, { force: true }).catch(() => undefined);
    }
    if (c.state.Running || c.state.Status === 'restarting') {
      if (r?.exit) await monitor.onExit(c.id, r.exit);
      else if (r?.state && r.conmonAlive && (r.state.status === 'running' || r.state.status === 'paused')) {
        await planner.recover(c.id, c.mounts ?? []);
        monitor.watchExit(c);
        monitor.startHealth(c);
      } else {
        await monitor.onExit(c.id, { exitCode: 255, exitedAt: new Date(), oomKilled: false }, 'container was gone when berthd started');
      }
      continue;
    }
    const policy = c.hostConfig.RestartPolicy?.Name;
    if ((policy === 'always' || (policy === 'unless-stopped' && !c.hasBeenManuallyStopped)) && c.state.Status !== 'created') {
      await hooks.start(c.id).catch((err) => log('warn', `restarting ${c.id}: ${(err as Error).message}`));
    }
  }
  for (const orphan of found.keys()) await runtime.delete(orphan, { force: true }).catch(() => undefined);
}
