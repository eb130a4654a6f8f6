import { isEngineError } from '../../lib/errors.js';
import { phase } from '../../lib/phases.js';
import type { ContainerContext } from './context.js';
import { markRemoving } from './state.js';
import type { Container } from './types.js';

/** What a removal stops and forgets beside the records: the exit watch, attach streams, exec sessions. */
export interface RemovalParts {
  monitor: { stopWatching(id: string): void; forget(id: string): void };
  attachments: { cancel(id: string): void };
  execs: { forget(id: string): void };
}

/**
 * Removes a container, under its lock. It answers once what a client or a
 * restarted berthd could see is gone: the rw layer moved aside, the volumes
 * released (`removeAnonymous`: rm -v and --rm remove its anonymous volumes),
 * the network record and the container's record deleted; then the destroy
 * event and the `removed` waiters, in dockerd's order.
 *
 * After an exit, the container's runtime state (runc's dir, conmon, cgroup,
 * bundle: nothing the records depend on) is being deleted off the lock
 * (monitor.ts); the removal does not wait for that and chains its own
 * deletion after it. Should berthd die in between, recovery deletes runtime
 * state that no container owns (recovery.ts).
 */
export async function removeContainer(ctx: ContainerContext, parts: RemovalParts, c: Container, removeAnonymous: boolean): Promise<void> {
  const { deps } = ctx;
  if (!deps.store.get(c.id)) return;
  const exitCode = c.state.ExitCode;
  markRemoving(c.state);
  phase(c.id, 'rm:locked');
  parts.monitor.stopWatching(c.id);
  parts.attachments.cancel(c.id);
  const exitCleanup = ctx.runtimeCleanups.pending(c.id);
  try {
    if (!exitCleanup) await deps.runtime.delete(c.id, { force: true });
    phase(c.id, 'rm:runtime-deleted');
    await deps.layers.unmountRw(c.rwLayer, ctx.rootfsOf(c.id)).catch(() => undefined);
    phase(c.id, 'rm:unmounted');
    await deps.layers.removeRw(c.rwLayer).catch((err) => {
      if (!isEngineError(err, 'notFound')) throw err;
    });
    phase(c.id, 'rm:rw-layer-removed');
    await deps.planner.release(c.id, c.mounts ?? [], { removeAnonymous: removeAnonymous || !!c.hostConfig.AutoRemove });
    phase(c.id, 'rm:volumes-released');
    await deps.networks.unregister(c.id);
    phase(c.id, 'rm:network-unregistered');
  } catch (err) {
    c.state.Status = 'dead';
    c.state.Dead = true;
    c.state.Error = (err as Error).message;
    await deps.store.saveState(c);
    throw err;
  }
  await deps.store.delete(c.id);
  phase(c.id, 'rm:store-deleted');
  parts.execs.forget(c.id);
  ctx.locks.delete(c.id);
  ctx.rootfs.forget(c.id);
  parts.monitor.forget(c.id);
  ctx.publish('destroy', c);
  ctx.signals.emit(`removed:${c.id}`, exitCode);
  if (exitCleanup) {
    void ctx.runtimeCleanups.after(c.id, () => deps.runtime.delete(c.id, { force: true }))
      .catch((err) => deps.log('warn', `deleting the runtime state of ${c.id}: ${(err as Error).message}`));
  }
}
